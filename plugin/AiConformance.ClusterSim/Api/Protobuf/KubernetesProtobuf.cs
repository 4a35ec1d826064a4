using System.IO.Compression;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using Google.Protobuf;
using AiConformance.ClusterSim.OpenApi;
using Google.Protobuf.Reflection;

namespace AiConformance.ClusterSim.Api.Protobuf;

/// <summary>
/// Kubernetes' protobuf encoding of built-in kinds (<c>application/vnd.kubernetes.protobuf</c>), which kubectl uses for
/// the objects it builds itself (<c>kubectl create namespace</c>, <c>create deployment</c>, <c>run</c>, <c>expose</c>):
/// the four bytes <c>k8s\0</c>, then a <c>runtime.Unknown</c> naming the object's apiVersion and kind and holding its
/// message. The messages are read with the real descriptors of Kubernetes' <c>generated.proto</c> files (embedded as
/// data, see Data/protobuf/README.md) and become the JSON the store holds; a kind without a descriptor is refused as
/// an unknown format. Answers to a client that prefers protobuf are written the same way where the kind has one.
/// </summary>
public static class KubernetesProtobuf
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static readonly byte[] Magic = "k8s\0"u8.ToArray();
    private static readonly Lazy<IReadOnlyDictionary<string, MessageDescriptor>> Messages = new(Load);
    private static readonly Lazy<IReadOnlySet<string>> InlineFields = new(FindInlineFields);

    public static bool IsProtobuf(string? contentType) => contentType?.StartsWith(MediaType, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The media type of a watch stream of length-prefixed <c>WatchEvent</c> messages.</summary>
    public const string WatchMediaType = MediaType + ";stream=watch";

    /// <summary>
    /// The message of a kind: <c>apps/v1</c> <c>Deployment</c> is <c>k8s.io.api.apps.v1.Deployment</c> (a group's first
    /// label names its package); the kinds of every group version that core v1 lacks (<c>v1</c> <c>Status</c>) are
    /// apimachinery's <c>meta/v1</c> ones.
    /// </summary>
    public static MessageDescriptor? Find(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        var package = slash < 0 ? "core" : apiVersion[..slash].Split('.')[0];
        var version = slash < 0 ? apiVersion : apiVersion[(slash + 1)..];
        return Messages.Value.GetValueOrDefault($"k8s.io.api.{package}.{version}.{kind}")
               ?? (apiVersion == "v1" ? Messages.Value.GetValueOrDefault($"k8s.io.apimachinery.pkg.apis.meta.v1.{kind}") : null);
    }

    /// <summary>
    /// Whether a field is a Go struct embedded in its message (<c>json:",inline"</c>): protobuf gives it a field of its
    /// own, JSON has its fields in the message's. Told by the OpenAPI schema, whose definition of the message has the
    /// embedded struct's fields as properties and no property of the field's name.
    /// </summary>
    public static bool IsInline(FieldDescriptor field) => InlineFields.Value.Contains(field.FullName);

    /// <summary>Decodes a request body; a body that is not this encoding, or a kind without a descriptor, is refused with what the real server says.</summary>
    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw StatusException.BadRequest("the request body is not Kubernetes protobuf: it does not begin with the 'k8s\\x00' prefix");
        var (apiVersion, kind, raw) = ReadUnknown(body.AsSpan(Magic.Length).ToArray());
        var message = Find(apiVersion, kind) ?? throw new StatusException(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml " +
            $"(the simulated API server has no protobuf descriptor for {apiVersion} {kind}; send it as JSON)");
        var decoded = ProtobufJson.ToJson(message, raw);
        var json = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        ProtobufJson.Merge(decoded, json);
        return json;
    }

    /// <summary>
    /// Whether a client's Accept header puts protobuf first among the formats this server writes (kubectl's typed
    /// commands and client-go controllers send <c>application/vnd.kubernetes.protobuf,application/json</c>).
    /// </summary>
    public static bool PrefersProtobuf(string? accept)
    {
        foreach (var entry in (accept ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = entry.Split(';', StringSplitOptions.TrimEntries);
            if (parts[0].Equals(MediaType, StringComparison.OrdinalIgnoreCase)) return parts.Length == 1;
            if (parts[0] is "application/json" or "application/yaml" or "*/*" or "application/*") return false;
        }
        return false;
    }

    /// <summary>An object or list of a kind with a descriptor as a protobuf body (the prefix and runtime.Unknown); null for other kinds.</summary>
    public static byte[]? Encode(JsonObject json)
    {
        if (json["apiVersion"]?.GetValue<string>() is not { } apiVersion || json["kind"]?.GetValue<string>() is not { } kind
            || Find(apiVersion, kind) is not { } message)
            return null;
        var typeMeta = JsonProtobuf.Fields(output =>
        {
            JsonProtobuf.Text(output, 1, apiVersion);
            JsonProtobuf.Text(output, 2, kind);
        });
        var unknown = JsonProtobuf.Fields(output =>
        {
            JsonProtobuf.WriteBytes(output, 1, typeMeta);
            JsonProtobuf.WriteBytes(output, 2, JsonProtobuf.ToProtobuf(message, json));
            // Go writes the envelope's contentEncoding and contentType even when empty.
            JsonProtobuf.Text(output, 3, "");
            JsonProtobuf.Text(output, 4, "");
        });
        return [.. Magic, .. unknown];
    }

    /// <summary>
    /// One event of a protobuf watch stream: its length (four bytes, big-endian), then a <c>meta/v1</c> WatchEvent
    /// (type 1, object 2 as a RawExtension whose raw 1 is the object's own body, prefix and envelope included); null
    /// when the object's kind has no descriptor.
    /// </summary>
    public static byte[]? EncodeWatchEvent(string type, JsonObject obj)
    {
        if (Encode(obj) is not { } body) return null;
        var rawExtension = JsonProtobuf.Fields(output => JsonProtobuf.WriteBytes(output, 1, body));
        var watchEvent = JsonProtobuf.Fields(output =>
        {
            JsonProtobuf.Text(output, 1, type);
            JsonProtobuf.WriteBytes(output, 2, rawExtension);
        });
        var frame = new byte[4 + watchEvent.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)watchEvent.Length);
        watchEvent.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>runtime.Unknown: typeMeta (1: apiVersion 1, kind 2), raw (2), contentEncoding (3), contentType (4).</summary>
    private static (string ApiVersion, string Kind, byte[] Raw) ReadUnknown(byte[] unknown)
    {
        string apiVersion = "", kind = "";
        byte[] raw = [];
        try
        {
            var input = new CodedInputStream(unknown);
            for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
            {
                switch (WireFormat.GetTagFieldNumber(tag))
                {
                    case 1:
                        var typeMeta = new CodedInputStream(input.ReadBytes().ToByteArray());
                        for (var inner = typeMeta.ReadTag(); inner != 0; inner = typeMeta.ReadTag())
                        {
                            switch (WireFormat.GetTagFieldNumber(inner))
                            {
                                case 1: apiVersion = typeMeta.ReadString(); break;
                                case 2: kind = typeMeta.ReadString(); break;
                                default: typeMeta.SkipLastField(); break;
                            }
                        }
                        break;
                    case 2: raw = input.ReadBytes().ToByteArray(); break;
                    default: input.SkipLastField(); break;
                }
            }
        }
        catch (InvalidProtocolBufferException error)
        {
            throw StatusException.BadRequest($"the request body could not be decoded as Kubernetes protobuf: {error.Message}");
        }
        if (apiVersion.Length == 0 || kind.Length == 0)
            throw StatusException.BadRequest("the protobuf request body names no apiVersion and kind in its runtime.Unknown envelope");
        return (apiVersion, kind, raw);
    }

    private static IReadOnlySet<string> FindInlineFields()
    {
        var definitions = SwaggerDocuments.For(SwaggerDocuments.SupportedVersions[^1])["definitions"]!.AsObject();
        var inline = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in Messages.Value.Values)
        {
            if (definitions[SchemaName(message)]?["properties"] is not JsonObject properties) continue;
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                // The embedded struct's own definition is often not published: its fields are told by its descriptor.
                if (field.FieldType == FieldType.Message && !field.IsMap && !properties.ContainsKey(field.Name)
                    && field.MessageType.Fields.InDeclarationOrder().Any(embedded => properties.ContainsKey(embedded.Name)))
                    inline.Add(field.FullName);
            }
        }
        return inline;
    }

    /// <summary>The OpenAPI definition of a message: <c>k8s.io.api.core.v1.Pod</c> is <c>io.k8s.api.core.v1.Pod</c>.</summary>
    private static string SchemaName(MessageDescriptor message) =>
        message.FullName.StartsWith("k8s.io.", StringComparison.Ordinal) ? "io.k8s." + message.FullName["k8s.io.".Length..] : message.FullName;

    private static IReadOnlyDictionary<string, MessageDescriptor> Load()
    {
        using var stream = typeof(KubernetesProtobuf).Assembly.GetManifestResourceStream("protobuf/kubernetes-descriptors.pb.gz")
                           ?? throw new InvalidOperationException("the embedded protobuf descriptors are missing");
        using var gunzip = new GZipStream(stream, CompressionMode.Decompress);
        var set = FileDescriptorSet.Parser.ParseFrom(gunzip);
        var files = FileDescriptor.BuildFromByteStrings(DependenciesFirst(set.File).Select(file => file.ToByteString()));
        return files.SelectMany(file => file.MessageTypes).ToDictionary(message => message.FullName, StringComparer.Ordinal);
    }

    /// <summary>Descriptors can only be built after the files they import.</summary>
    private static List<FileDescriptorProto> DependenciesFirst(IEnumerable<FileDescriptorProto> files)
    {
        var pending = files.ToList();
        var ordered = new List<FileDescriptorProto>();
        var built = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var ready = pending.Where(file => file.Dependency.All(built.Contains)).ToList();
            if (ready.Count == 0)
                throw new InvalidOperationException($"protobuf descriptors import files not embedded: {string.Join(", ", pending.SelectMany(file => file.Dependency).Where(name => !built.Contains(name)).Distinct())}");
            foreach (var file in ready)
            {
                ordered.Add(file);
                built.Add(file.Name);
                pending.Remove(file);
            }
        }
        return ordered;
    }
}
