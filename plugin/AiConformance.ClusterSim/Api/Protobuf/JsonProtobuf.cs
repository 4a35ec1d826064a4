using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AiConformance.ClusterSim.Api.Protobuf;

/// <summary>
/// The JSON the store holds as a Kubernetes protobuf message, the reverse of <see cref="ProtobufJson"/>: fields in
/// number order as Go's encoder writes them, the apimachinery scalars as their messages, an embedded struct's fields
/// gathered from its parent's object. JSON properties the descriptors do not know (fields newer than them) are left out.
/// </summary>
public static partial class JsonProtobuf
{
    private const string Meta = "k8s.io.apimachinery.pkg.apis.meta.v1.";

    public static byte[] ToProtobuf(MessageDescriptor message, JsonObject json) => Fields(output =>
    {
        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            if (KubernetesProtobuf.IsInline(field))
            {
                var embedded = ToProtobuf(field.MessageType, json);
                if (embedded.Length > 0) WriteBytes(output, field.FieldNumber, embedded);
                continue;
            }
            switch (json[field.Name])
            {
                case null:
                    break;
                case JsonObject map when field.IsMap:
                    foreach (var (key, value) in map)
                        if (value is not null) WriteBytes(output, field.FieldNumber, MapEntry(field.MessageType, key, value));
                    break;
                case JsonArray list when field.IsRepeated:
                    foreach (var item in list)
                        if (item is not null) Write(output, field, item);
                    break;
                case var value when !field.IsRepeated:
                    Write(output, field, value);
                    break;
            }
        }
    });

    private static byte[] MapEntry(MessageDescriptor entry, string key, JsonNode value) => Fields(output =>
    {
        Write(output, entry.FindFieldByNumber(1), JsonValue.Create(key));
        Write(output, entry.FindFieldByNumber(2), value);
    });

    private static void Write(CodedOutputStream output, FieldDescriptor field, JsonNode value)
    {
        if (field.FieldType == FieldType.Message)
        {
            WriteBytes(output, field.FieldNumber, Message(field.MessageType, value));
            return;
        }
        var scalar = value.AsValue();
        switch (field.FieldType)
        {
            case FieldType.String:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteString(scalar.GetValueKind() == JsonValueKind.String ? scalar.GetValue<string>() : scalar.ToJsonString());
                break;
            case FieldType.Bytes:
                WriteBytes(output, field.FieldNumber, Convert.FromBase64String(scalar.GetValue<string>()));
                break;
            case FieldType.Bool:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteBool(scalar.GetValue<bool>());
                break;
            case FieldType.Double:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed64);
                output.WriteDouble(double.Parse(Number(scalar), CultureInfo.InvariantCulture));
                break;
            case FieldType.Float:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Fixed32);
                output.WriteFloat(float.Parse(Number(scalar), CultureInfo.InvariantCulture));
                break;
            case FieldType.Int32 or FieldType.Int64 or FieldType.UInt32 or FieldType.UInt64 or FieldType.Enum:
                output.WriteTag(field.FieldNumber, WireFormat.WireType.Varint);
                output.WriteInt64(long.Parse(Number(scalar), CultureInfo.InvariantCulture));
                break;
            default:
                throw new InvalidOperationException($"field {field.FullName} has the unsupported protobuf type {field.FieldType}");
        }
    }

    /// <summary>A number's text, whatever .NET type the JSON value holds (a number quoted as a string too).</summary>
    private static string Number(JsonValue value) => value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    internal static void WriteBytes(CodedOutputStream output, int number, byte[] bytes)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(bytes));
    }

    /// <summary>A nested message: the apimachinery types JSON writes as scalars, else an object.</summary>
    private static byte[] Message(MessageDescriptor message, JsonNode value) => message.FullName switch
    {
        Meta + "Time" or Meta + "MicroTime" => Time(value.GetValue<string>()),
        Meta + "Duration" => Fields(output => Varint(output, 1, ParseGoDuration(value.GetValue<string>()))),
        Meta + "FieldsV1" or "k8s.io.apimachinery.pkg.runtime.RawExtension" => Fields(output => WriteBytes(output, 1, Encoding.UTF8.GetBytes(value.ToJsonString()))),
        "k8s.io.apimachinery.pkg.api.resource.Quantity" => Fields(output => Text(output, 1, value.ToString())),
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => value.GetValueKind() == JsonValueKind.String
            ? Fields(output => { Varint(output, 1, 1); Text(output, 3, value.GetValue<string>()); })
            : Fields(output => { Varint(output, 1, 0); Varint(output, 2, long.Parse(Number(value.AsValue()), CultureInfo.InvariantCulture)); }),
        _ => ToProtobuf(message, value.AsObject()),
    };

    private static byte[] Time(string text)
    {
        var time = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        var seconds = time.ToUnixTimeSeconds();
        var nanos = (int)(time.UtcTicks % TimeSpan.TicksPerSecond * 100);
        return Fields(output =>
        {
            Varint(output, 1, seconds);
            if (nanos != 0) Varint(output, 2, nanos);
        });
    }

    /// <summary>A message written by <paramref name="write"/>, as its bytes.</summary>
    internal static byte[] Fields(Action<CodedOutputStream> write)
    {
        using var bytes = new MemoryStream();
        var output = new CodedOutputStream(bytes);
        write(output);
        output.Flush();
        return bytes.ToArray();
    }

    private static void Varint(CodedOutputStream output, int number, long value)
    {
        output.WriteTag(number, WireFormat.WireType.Varint);
        output.WriteInt64(value);
    }

    internal static void Text(CodedOutputStream output, int number, string value)
    {
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    [GeneratedRegex(@"(\d+(?:\.\d*)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex DurationPart();

    /// <summary>A Go duration (<c>1h2m3.5s</c>) in nanoseconds.</summary>
    public static long ParseGoDuration(string text)
    {
        var sign = text.StartsWith('-') ? -1 : 1;
        var total = 0.0;
        foreach (Match part in DurationPart().Matches(text))
        {
            var number = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += number * part.Groups[2].Value switch
            {
                "ns" => 1, "us" or "µs" => 1e3, "ms" => 1e6, "s" => 1e9, "m" => 60e9, _ => 3600e9,
            };
        }
        return sign * (long)Math.Round(total);
    }
}
