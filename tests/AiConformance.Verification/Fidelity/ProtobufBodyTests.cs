using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api.Protobuf;
using AiConformance.ClusterSim.Store;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>
/// Protobuf request bodies (<c>application/vnd.kubernetes.protobuf</c>) become the JSON a client would have sent for
/// the same object. The bodies here are written field by field with the real descriptors, as Go's encoder writes them.
/// </summary>
public sealed class ProtobufBodyTests
{
    [Test]
    public void APodBecomesItsJsonWithScalarsInlinedStructsAndEmptyFieldsAsJsonOmitsThem()
    {
        var pod = Message("v1", "Pod")
            .Message("metadata", meta => meta
                .String("name", "p").String("generateName", "").Int("generation", 0)
                .Message("creationTimestamp", _ => _) // Go's zero time: an empty message
                .Message("labels", entry => entry.String("key", "app").String("value", "web")))
            .Message("spec", spec => spec
                .Int("terminationGracePeriodSeconds", 0)
                .Message("volumes", volume => volume.String("name", "config")
                    .Message("volumeSource", source => source.Message("configMap", map => map
                        .Message("localObjectReference", reference => reference.String("name", "settings")))))
                .Message("containers", container => container.String("name", "main").String("image", "busybox")
                    .String("args", "sleep").String("args", "60").Bool("stdin", false)
                    .Message("readinessProbe", probe => probe
                        .Message("handler", handler => handler.Message("httpGet", get => get.String("path", "/health")
                            .Message("port", port => port.Int("type", 1).String("strVal", "http")))))
                    .Message("ports", port => port.Int("containerPort", 8080))
                    .Message("resources", resources => resources
                        .Message("limits", entry => entry.String("key", "cpu").Message("value", quantity => quantity.String("string", "500m"))))));

        var json = KubernetesProtobuf.Decode(Envelope("v1", "Pod", pod.ToBytes()));

        Assert.That(json.ToJsonString(), Is.EqualTo(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = "p", ["labels"] = new JsonObject { ["app"] = "web" } },
            ["spec"] = new JsonObject
            {
                ["terminationGracePeriodSeconds"] = 0,
                ["volumes"] = new JsonArray(new JsonObject { ["name"] = "config", ["configMap"] = new JsonObject { ["name"] = "settings" } }),
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "main",
                    ["image"] = "busybox",
                    ["args"] = new JsonArray("sleep", "60"),
                    ["readinessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/health", ["port"] = "http" } },
                    ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080 }),
                    ["resources"] = new JsonObject { ["limits"] = new JsonObject { ["cpu"] = "500m" } },
                }),
            },
        }.ToJsonString()));
    }

    [Test]
    public void TimesDurationsBytesAndRawExtensionsAreWrittenAsJsonWritesThem()
    {
        var secret = Message("v1", "Secret")
            .Message("metadata", meta => meta.String("name", "s")
                .Message("creationTimestamp", time => time.Int("seconds", 1_700_000_000)))
            .Message("data", entry => entry.String("key", "token").Bytes("value", "hi"u8.ToArray()));
        var json = KubernetesProtobuf.Decode(Envelope("v1", "Secret", secret.ToBytes()));
        Assert.Multiple(() =>
        {
            Assert.That(json["metadata"]!["creationTimestamp"]!.GetValue<string>(), Is.EqualTo("2023-11-14T22:13:20Z"));
            Assert.That(json["data"]!["token"]!.GetValue<string>(), Is.EqualTo("aGk="));
        });

        var withRaw = Message("v1", "Event")
            .Message("metadata", meta => meta.String("name", "e").Message("managedFields", entry => entry
                .String("manager", "kubectl").Message("fieldsV1", fields => fields.Bytes("Raw", "{\"f:spec\":{}}"u8.ToArray()))));
        Assert.That(KubernetesProtobuf.Decode(Envelope("v1", "Event", withRaw.ToBytes()))["metadata"]!["managedFields"]![0]!["fieldsV1"]!.ToJsonString(),
            Is.EqualTo("{\"f:spec\":{}}"));
    }

    [TestCase("v1", "Volume", "volumeSource", true)]
    [TestCase("v1", "Probe", "handler", true)]
    [TestCase("v1", "ConfigMapVolumeSource", "localObjectReference", true)]
    [TestCase("v1", "PersistentVolumeSpec", "persistentVolumeSource", true)]
    [TestCase("networking.k8s.io/v1", "IngressRule", "ingressRuleValue", true)]
    [TestCase("v1", "Affinity", "nodeAffinity", false)]
    [TestCase("v1", "ServiceSpec", "sessionAffinityConfig", false)]
    [TestCase("v1", "Pod", "metadata", false)]
    [TestCase("v1", "Pod", "spec", false)]
    public void EmbeddedStructsAreToldFromTheSchema(string apiVersion, string message, string field, bool inline) =>
        Assert.That(KubernetesProtobuf.IsInline(KubernetesProtobuf.Find(apiVersion, message)!.FindFieldByName(field)), Is.EqualTo(inline));

    [Test]
    public void AnObjectWrittenAsProtobufReadsBackAsTheSameJson()
    {
        var deployment = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"ns","labels":{"app":"web"},"creationTimestamp":"2026-01-02T03:04:05Z","generation":2},
             "spec":{"replicas":0,"progressDeadlineSeconds":600,"selector":{"matchLabels":{"app":"web"}},
              "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":1}},
              "template":{"metadata":{"labels":{"app":"web"}},"spec":{
               "volumes":[{"name":"config","configMap":{"name":"settings","defaultMode":420}}],
               "containers":[{"name":"web","image":"nginx","args":["-g","daemon off;"],
                "readinessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":1},
                "resources":{"limits":{"cpu":"500m","nvidia.com/gpu":"1"}},
                "env":[{"name":"TOKEN","valueFrom":{"secretKeyRef":{"name":"token","key":"value"}}}]}]}}},
             "status":{"replicas":1,"conditions":[{"type":"Available","status":"True","lastUpdateTime":"2026-01-02T03:04:06Z"}]}}
            """)!.AsObject();

        var protobuf = KubernetesProtobuf.Encode(deployment);

        Assert.That(protobuf, Is.Not.Null);
        var decoded = KubernetesProtobuf.Decode(protobuf!);
        Assert.That(JsonNode.DeepEquals(decoded, deployment), Is.True, $"read back: {decoded.ToJsonString()}");
    }

    [Test]
    public void OnlyKindsWithADescriptorAreWrittenAsProtobuf() =>
        Assert.That(KubernetesProtobuf.Encode(new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget" }), Is.Null);

    [TestCase("application/vnd.kubernetes.protobuf,application/json", true)]
    [TestCase("application/vnd.kubernetes.protobuf, */*", true)]
    [TestCase("application/json,application/vnd.kubernetes.protobuf", false)]
    [TestCase("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", false)]
    [TestCase("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", false)]
    [TestCase("", false)]
    public void ProtobufIsAnsweredOnlyToAClientThatPutsItFirst(string accept, bool protobuf) =>
        Assert.That(KubernetesProtobuf.PrefersProtobuf(accept), Is.EqualTo(protobuf));

    [TestCase(0L, "0s")]
    [TestCase(1_500_000_000L, "1.5s")]
    [TestCase(90_000_000_000L, "1m30s")]
    [TestCase(3_723_000_000_000L, "1h2m3s")]
    [TestCase(150_000_000L, "150ms")]
    [TestCase(-2_000_000_000L, "-2s")]
    public void DurationsAreWrittenAsGoPrintsThem(long nanoseconds, string expected) =>
        Assert.That(ProtobufJson.GoDuration(nanoseconds), Is.EqualTo(expected));

    [Test]
    public void AKindWithoutADescriptorIsRefusedAsAnUnknownFormat()
    {
        var error = Assert.Throws<StatusException>(() => KubernetesProtobuf.Decode(Envelope("example.com/v1", "Widget", [])));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(415));
            Assert.That(error.Message, Does.Contain("example.com/v1 Widget").And.Contain("send it as JSON"));
        });
    }

    [Test]
    public void AnEmbeddedObjectThatIsNotJsonIsABadRequest()
    {
        var event_ = Message("v1", "Event")
            .Message("metadata", meta => meta.String("name", "e").Message("managedFields", entry => entry
                .Message("fieldsV1", fields => fields.Bytes("Raw", "{not json"u8.ToArray()))));
        var error = Assert.Throws<StatusException>(() => KubernetesProtobuf.Decode(Envelope("v1", "Event", event_.ToBytes())));
        Assert.Multiple(() =>
        {
            Assert.That(error!.Code, Is.EqualTo(400));
            Assert.That(error.Message, Does.Contain("is not JSON"));
        });
    }

    [Test]
    public void ABodyWithoutTheKubernetesPrefixIsABadRequest()
    {
        var error = Assert.Throws<StatusException>(() => KubernetesProtobuf.Decode("{\"kind\":\"Pod\"}"u8.ToArray()));
        Assert.That(error!.Code, Is.EqualTo(400));
    }

    private static ProtoWriter Message(string apiVersion, string kind) =>
        new(KubernetesProtobuf.Find(apiVersion, kind) ?? throw new AssertionException($"no descriptor for {apiVersion} {kind}"));

    /// <summary>The <c>k8s\0</c> prefix and a runtime.Unknown: typeMeta (1: apiVersion 1, kind 2) and raw (2).</summary>
    private static byte[] Envelope(string apiVersion, string kind, byte[] raw)
    {
        using var typeMeta = new MemoryStream();
        var meta = new CodedOutputStream(typeMeta);
        meta.WriteTag(1, WireFormat.WireType.LengthDelimited);
        meta.WriteString(apiVersion);
        meta.WriteTag(2, WireFormat.WireType.LengthDelimited);
        meta.WriteString(kind);
        meta.Flush();
        using var body = new MemoryStream();
        body.Write("k8s\0"u8);
        var unknown = new CodedOutputStream(body);
        unknown.WriteTag(1, WireFormat.WireType.LengthDelimited);
        unknown.WriteBytes(ByteString.CopyFrom(typeMeta.ToArray()));
        unknown.WriteTag(2, WireFormat.WireType.LengthDelimited);
        unknown.WriteBytes(ByteString.CopyFrom(raw));
        unknown.Flush();
        return body.ToArray();
    }

    /// <summary>Writes a message field by field, by the names its descriptor gives them (a map entry has key and value).</summary>
    private sealed class ProtoWriter(MessageDescriptor message)
    {
        private readonly MemoryStream bytes = new();
        private CodedOutputStream? output;

        private CodedOutputStream Output => output ??= new CodedOutputStream(bytes);

        private FieldDescriptor Field(string name) => message.FindFieldByName(name) ?? throw new AssertionException($"{message.FullName} has no field {name}");

        public ProtoWriter String(string name, string value)
        {
            Output.WriteTag(Field(name).FieldNumber, WireFormat.WireType.LengthDelimited);
            Output.WriteString(value);
            return this;
        }

        public ProtoWriter Bytes(string name, byte[] value)
        {
            Output.WriteTag(Field(name).FieldNumber, WireFormat.WireType.LengthDelimited);
            Output.WriteBytes(ByteString.CopyFrom(value));
            return this;
        }

        public ProtoWriter Int(string name, long value)
        {
            Output.WriteTag(Field(name).FieldNumber, WireFormat.WireType.Varint);
            Output.WriteInt64(value);
            return this;
        }

        public ProtoWriter Bool(string name, bool value)
        {
            Output.WriteTag(Field(name).FieldNumber, WireFormat.WireType.Varint);
            Output.WriteBool(value);
            return this;
        }

        public ProtoWriter Message(string name, Func<ProtoWriter, ProtoWriter> build)
        {
            var field = Field(name);
            var inner = build(new ProtoWriter(field.MessageType)).ToBytes();
            Output.WriteTag(field.FieldNumber, WireFormat.WireType.LengthDelimited);
            Output.WriteBytes(ByteString.CopyFrom(inner));
            return this;
        }

        public byte[] ToBytes()
        {
            Output.Flush();
            return bytes.ToArray();
        }
    }
}
