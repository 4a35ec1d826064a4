using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AiConformance.ClusterSim.Api.Protobuf;

/// <summary>
/// A Kubernetes protobuf message as the JSON a client would have sent for the same object. Field names are the JSON
/// names (Kubernetes names its proto fields after them). The apimachinery types that JSON writes as scalars are
/// converted as their Go types marshal (Time, MicroTime, Duration, Quantity, IntOrString, RawExtension, FieldsV1), and
/// the fields of an embedded Go struct (its own field in protobuf, such as a Volume's volumeSource) are inlined.
/// Go writes every non-pointer field into protobuf, where JSON omits an empty one: empty strings, zeros, false and the
/// zero time are left out, except in the pointer fields whose 0 or false differs from leaving them unset (a Deployment
/// of 0 replicas, a Job without retries, a pod run as root): the descriptors cannot tell pointers apart, so those are
/// named.
/// </summary>
public static class ProtobufJson
{
    private const string Meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";
    private const long ZeroTimeSeconds = -62135596800; // Go's zero time.Time, 0001-01-01T00:00:00Z

    /// <summary>Pointer fields of built-in kinds whose zero or false is not what their absence defaults to.</summary>
    private static readonly HashSet<string> MeaningfulZeros = new(StringComparer.Ordinal)
    {
        "replicas", "parallelism", "completions", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "revisionHistoryLimit",
        "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "ttlSecondsAfterFinished", "terminationGracePeriodSeconds",
        "gracePeriodSeconds", "activeDeadlineSeconds", "startingDeadlineSeconds", "runAsUser", "runAsGroup", "fsGroup",
        "automountServiceAccountToken", "enableServiceLinks", "hostUsers", "allowPrivilegeEscalation", "runAsNonRoot",
        "allocateLoadBalancerNodePorts", "optional", "defaultMode", "mode", "minReadySeconds", "maxUnavailable", "maxSurge",
    };

    internal static JsonObject ToJson(MessageDescriptor message, byte[] bytes)
    {
        var json = new JsonObject();
        var input = new CodedInputStream(bytes);
        try
        {
            for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
            {
                if (message.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag)) is not { } field)
                {
                    input.SkipLastField(); // a field newer than the descriptors
                    continue;
                }
                if (field.IsMap)
                {
                    var (key, value) = MapEntry(field.MessageType, input.ReadBytes().ToByteArray());
                    if (json[field.Name] is not JsonObject map) json[field.Name] = map = new JsonObject();
                    map[key] = value;
                }
                else if (field.IsRepeated)
                {
                    if (json[field.Name] is not JsonArray list) json[field.Name] = list = new JsonArray();
                    if (IsPackable(field) && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                    {
                        var packed = new CodedInputStream(input.ReadBytes().ToByteArray());
                        while (!packed.IsAtEnd) list.Add(Scalar(field, packed));
                    }
                    else
                    {
                        list.Add(Value(field, input));
                    }
                }
                else
                {
                    var value = Value(field, input);
                    if (KubernetesProtobuf.IsInline(field) && value is JsonObject embedded)
                        Merge(embedded, json);
                    else if (value is not null && (!IsEmpty(value) || IsMeaningfulZero(field)))
                        json[field.Name] = value;
                }
            }
        }
        catch (InvalidProtocolBufferException error)
        {
            throw StatusException.BadRequest($"the request body could not be decoded as {message.FullName}: {error.Message}");
        }
        return json;
    }

    internal static void Merge(JsonObject from, JsonObject into)
    {
        foreach (var (name, value) in from.ToList())
        {
            from.Remove(name);
            into[name] = value;
        }
    }

    /// <summary>What JSON's omitempty leaves out: an empty string, a zero, false.</summary>
    private static bool IsEmpty(JsonNode value) => value is JsonValue scalar && scalar.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.String => scalar.GetValue<string>().Length == 0,
        System.Text.Json.JsonValueKind.False => true,
        System.Text.Json.JsonValueKind.Number => scalar.ToJsonString() is "0" or "0.0" or "-0",
        _ => false,
    };

    private static bool IsMeaningfulZero(FieldDescriptor field) => field.FieldType != FieldType.String && MeaningfulZeros.Contains(field.Name);

    private static JsonNode? Value(FieldDescriptor field, CodedInputStream input) =>
        field.FieldType == FieldType.Message ? Message(field.MessageType, input.ReadBytes().ToByteArray()) : Scalar(field, input);

    private static (string Key, JsonNode? Value) MapEntry(MessageDescriptor entry, byte[] bytes)
    {
        var key = "";
        JsonNode? value = null;
        var input = new CodedInputStream(bytes);
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = Scalar(entry.FindFieldByNumber(1), input)?.ToString() ?? ""; break;
                case 2: value = Value(entry.FindFieldByNumber(2), input); break;
                default: input.SkipLastField(); break;
            }
        }
        // An entry without its value holds the value type's empty form (an empty string, for labels).
        return (key, value ?? (entry.FindFieldByNumber(2).FieldType == FieldType.Message ? Message(entry.FindFieldByNumber(2).MessageType, []) : ""));
    }

    /// <summary>A nested message: the apimachinery types JSON writes as scalars, else an object.</summary>
    private static JsonNode? Message(MessageDescriptor message, byte[] bytes) => message.FullName switch
    {
        Meta + "Time" => Time(bytes, "yyyy-MM-dd'T'HH:mm:ss'Z'"),
        Meta + "MicroTime" => Time(bytes, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'"),
        Meta + "Duration" => GoDuration(Field<long>(bytes, 1, input => input.ReadInt64())),
        Meta + "FieldsV1" or "k8s.io.apimachinery.pkg.runtime.RawExtension" => Raw(bytes),
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => Field(bytes, 1, input => input.ReadString()) ?? "0",
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => IntOrString(bytes),
        _ => ToJson(message, bytes),
    };

    private static JsonNode? Scalar(FieldDescriptor field, CodedInputStream input) => field.FieldType switch
    {
        FieldType.String => input.ReadString(),
        FieldType.Bytes => Convert.ToBase64String(input.ReadBytes().Span),
        FieldType.Bool => input.ReadBool(),
        FieldType.Int32 => input.ReadInt32(),
        FieldType.Int64 => input.ReadInt64(),
        FieldType.UInt32 => input.ReadUInt32(),
        FieldType.UInt64 => input.ReadUInt64(),
        FieldType.SInt32 => input.ReadSInt32(),
        FieldType.SInt64 => input.ReadSInt64(),
        FieldType.Fixed32 => input.ReadFixed32(),
        FieldType.Fixed64 => input.ReadFixed64(),
        FieldType.SFixed32 => input.ReadSFixed32(),
        FieldType.SFixed64 => input.ReadSFixed64(),
        FieldType.Double => input.ReadDouble(),
        FieldType.Float => input.ReadFloat(),
        FieldType.Enum => input.ReadEnum(),
        _ => throw StatusException.BadRequest($"field {field.FullName} has the unsupported protobuf type {field.FieldType}"),
    };

    private static bool IsPackable(FieldDescriptor field) => field.FieldType is not (FieldType.String or FieldType.Bytes or FieldType.Message or FieldType.Group);

    private static T? Field<T>(byte[] bytes, int number, Func<CodedInputStream, T> read)
    {
        var input = new CodedInputStream(bytes);
        var found = default(T);
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) == number) found = read(input);
            else input.SkipLastField();
        }
        return found;
    }

    private static JsonNode? Time(byte[] bytes, string format)
    {
        // Go writes the zero time as an empty message (older encoders as its seconds).
        var seconds = Field<long>(bytes, 1, input => input.ReadInt64());
        var nanos = Field<int>(bytes, 2, input => input.ReadInt32());
        if (bytes.Length == 0 || seconds == ZeroTimeSeconds && nanos == 0) return null;
        var time = DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(nanos / 100).UtcDateTime;
        return time.ToString(format, CultureInfo.InvariantCulture);
    }

    private static JsonNode? Raw(byte[] bytes)
    {
        if (Field(bytes, 1, input => input.ReadBytes()) is not { Length: > 0 } raw) return null;
        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(raw.Span));
        }
        catch (System.Text.Json.JsonException error)
        {
            throw StatusException.BadRequest($"an embedded object (RawExtension or FieldsV1) of the protobuf body is not JSON: {error.Message}");
        }
    }

    /// <summary>intstr.IntOrString: type (1: 0 int, 1 string), intVal (2), strVal (3).</summary>
    private static JsonNode IntOrString(byte[] bytes) =>
        Field<long>(bytes, 1, input => input.ReadInt64()) == 1
            ? Field(bytes, 3, input => input.ReadString()) ?? ""
            : Field<int>(bytes, 2, input => input.ReadInt32());

    /// <summary>A duration as Go's time.Duration prints it (<c>1h2m3.5s</c>, <c>150ms</c>, <c>0s</c>).</summary>
    public static string GoDuration(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var sign = nanoseconds < 0 ? "-" : "";
        var n = (ulong)Math.Abs(nanoseconds);
        if (n < 1_000_000_000)
        {
            var (unit, per) = n < 1_000 ? ("ns", 1UL) : n < 1_000_000 ? ("µs", 1_000UL) : ("ms", 1_000_000UL);
            return sign + Fraction(n, per) + unit;
        }
        var hours = n / 3_600_000_000_000;
        var minutes = n / 60_000_000_000 % 60;
        var seconds = Fraction(n % 60_000_000_000, 1_000_000_000) + "s";
        return sign + (hours > 0 ? $"{hours}h{minutes}m" : minutes > 0 ? $"{minutes}m" : "") + seconds;
    }

    private static string Fraction(ulong value, ulong per)
    {
        var whole = value / per;
        var rest = value % per;
        if (rest == 0) return whole.ToString(CultureInfo.InvariantCulture);
        var digits = per.ToString(CultureInfo.InvariantCulture).Length - 1;
        return $"{whole}.{rest.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0')}";
    }
}
