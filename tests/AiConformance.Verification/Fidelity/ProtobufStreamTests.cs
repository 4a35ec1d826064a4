using k8s;
using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api.Protobuf;
using AiConformance.ClusterSim.Server;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>
/// What a client that prefers protobuf (client-go's typed clients: <c>application/vnd.kubernetes.protobuf,
/// application/json</c>) gets besides objects: watch streams of length-prefixed WatchEvents, and errors as a protobuf
/// Status; JSON where the kind has no descriptor.
/// </summary>
public sealed class ProtobufStreamTests : FidelityFixture
{
    private const string PrefersProtobuf = "application/vnd.kubernetes.protobuf, application/json";

    [Test]
    public async Task AWatchIsLengthPrefixedWatchEventsWhoseObjectsAreProtobufBodies()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("first"), ns, cancellationToken: Timeout);
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("second"), ns, cancellationToken: Timeout);

        var (contentType, body) = await GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1");

        Assert.That(contentType, Is.EqualTo(KubernetesProtobuf.WatchMediaType));
        var events = Frames(body).Select(ReadWatchEvent).ToList();
        Assert.That(events.Select(e => $"{e.Type} {e.Object["kind"]} {e.Object["metadata"]?["name"]} {e.Object["data"]?["k"]}"),
            Is.EqualTo(new[] { "ADDED ConfigMap first v", "ADDED ConfigMap second v" }));
    }

    [Test]
    public async Task AWatchOfAKindWithoutADescriptorStaysJson()
    {
        var (contentType, body) = await GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions?watch=true&timeoutSeconds=1");

        Assert.That(contentType, Does.StartWith("application/json"));
        foreach (var line in System.Text.Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            Assert.That(JsonNode.Parse(line)?["type"]?.GetValue<string>(), Is.Not.Null, line);
    }

    [Test]
    public async Task AnErrorIsAProtobufStatus()
    {
        var ns = await NewNamespaceAsync();
        using var http = Server.CreateHttpClient(KubeconfigIdentity.Admin);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/missing");
        request.Headers.Accept.ParseAdd(PrefersProtobuf);
        using var response = await http.SendAsync(request, Timeout);
        var status = KubernetesProtobuf.Decode(await response.Content.ReadAsByteArrayAsync(Timeout));

        Assert.Multiple(() =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(404));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(KubernetesProtobuf.MediaType));
            Assert.That($"{status["apiVersion"]} {status["kind"]} {status["status"]} {status["reason"]} {status["code"]}", Is.EqualTo("v1 Status Failure NotFound 404"));
            Assert.That(status["details"]?["name"]?.GetValue<string>(), Is.EqualTo("missing"));
        });
    }

    private async Task<(string? ContentType, byte[] Body)> GetAsync(string path)
    {
        using var http = Server.CreateHttpClient(KubeconfigIdentity.Admin);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(PrefersProtobuf);
        using var response = await http.SendAsync(request, Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        return (response.Content.Headers.ContentType?.ToString().Replace(" ", ""), await response.Content.ReadAsByteArrayAsync(Timeout));
    }

    /// <summary>The messages of a length-prefixed stream (each after its four-byte big-endian length).</summary>
    private static IEnumerable<byte[]> Frames(byte[] stream)
    {
        for (var at = 0; at < stream.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(stream.AsSpan(at, 4));
            yield return stream.AsSpan(at + 4, length).ToArray();
            at += 4 + length;
        }
    }

    /// <summary>meta/v1 WatchEvent: type (1), object (2: a RawExtension whose raw (1) is the object's protobuf body).</summary>
    private static (string Type, JsonObject Object) ReadWatchEvent(byte[] message)
    {
        var input = new Google.Protobuf.CodedInputStream(message);
        string type = "";
        JsonObject? obj = null;
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            switch (Google.Protobuf.WireFormat.GetTagFieldNumber(tag))
            {
                case 1: type = input.ReadString(); break;
                case 2:
                    var raw = new Google.Protobuf.CodedInputStream(input.ReadBytes().ToByteArray());
                    for (var inner = raw.ReadTag(); inner != 0; inner = raw.ReadTag())
                    {
                        if (Google.Protobuf.WireFormat.GetTagFieldNumber(inner) == 1) obj = KubernetesProtobuf.Decode(raw.ReadBytes().ToByteArray());
                        else raw.SkipLastField();
                    }
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return (type, obj ?? throw new AssertionException("a WatchEvent without an object"));
    }
}
