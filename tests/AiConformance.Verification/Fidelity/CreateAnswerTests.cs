using System.Text;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Server;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>
/// The create answer of each built-in kind, field by field, as kube-apiserver's defaulting and registry strategies
/// shape it: which kinds carry <c>metadata.generation</c>, the status an object starts with (Go serializes empty
/// status structs), and the defaults clients read back. A path expected as <c>absent</c> must not be in the answer.
/// </summary>
public sealed class CreateAnswerTests : FidelityFixture
{
    private const string Absent = "absent";
    private const string Template = """{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}""";
    private const string Selector = """{"matchLabels":{"app":"a"}}""";

    private static IEnumerable<TestCaseData> Kinds()
    {
        TestCaseData Row(string kind, string collection, string body, params string[] expected) =>
            new TestCaseData(collection, body, expected).SetName($"CreateAnswerOf{kind}");
        yield return Row("ConfigMap", "api/v1/namespaces/{ns}/configmaps", """{"metadata":{"name":"x"},"data":{"k":"v"}}""",
            $"metadata.generation={Absent}", $"status={Absent}", $"spec={Absent}");
        yield return Row("Secret", "api/v1/namespaces/{ns}/secrets", """{"metadata":{"name":"x"}}""",
            "type=\"Opaque\"", $"metadata.generation={Absent}");
        yield return Row("ServiceAccount", "api/v1/namespaces/{ns}/serviceaccounts", """{"metadata":{"name":"x"}}""",
            $"metadata.generation={Absent}");
        yield return Row("Service", "api/v1/namespaces/{ns}/services", """{"metadata":{"name":"x"},"spec":{"selector":{"app":"a"},"ports":[{"port":80}]}}""",
            "status={\"loadBalancer\":{}}", $"metadata.generation={Absent}", "spec.type=\"ClusterIP\"", "spec.sessionAffinity=\"None\"",
            "spec.ports=[{\"port\":80,\"protocol\":\"TCP\",\"targetPort\":80}]", "spec.internalTrafficPolicy=\"Cluster\"");
        yield return Row("PersistentVolumeClaim", "api/v1/namespaces/{ns}/persistentvolumeclaims",
            """{"metadata":{"name":"x"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""",
            "status={\"phase\":\"Pending\"}", "spec.volumeMode=\"Filesystem\"", $"metadata.generation={Absent}");
        yield return Row("Namespace", "api/v1/namespaces", """{"metadata":{"name":"create-answer"}}""",
            "spec={\"finalizers\":[\"kubernetes\"]}", "status={\"phase\":\"Active\"}", $"metadata.generation={Absent}");
        yield return Row("Role", "apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles", """{"metadata":{"name":"x"},"rules":[]}""",
            $"metadata.generation={Absent}");
        yield return Row("Lease", "apis/coordination.k8s.io/v1/namespaces/{ns}/leases", """{"metadata":{"name":"x"},"spec":{}}""",
            $"metadata.generation={Absent}");
        yield return Row("Pod", "api/v1/namespaces/{ns}/pods", """{"metadata":{"name":"x"},"spec":{"containers":[{"name":"c","image":"busybox:1.36"}]}}""",
            "metadata.generation=1", "status.phase=\"Pending\"", "status.qosClass=\"BestEffort\"");
        yield return Row("Deployment", "apis/apps/v1/namespaces/{ns}/deployments",
            $$$"""{"metadata":{"name":"x"},"spec":{"selector":{{{Selector}}},"template":{{{Template}}}}}""",
            "metadata.generation=1", "status={}", "spec.replicas=1");
        yield return Row("ReplicaSet", "apis/apps/v1/namespaces/{ns}/replicasets",
            $$$"""{"metadata":{"name":"x"},"spec":{"selector":{{{Selector}}},"template":{{{Template}}}}}""",
            "metadata.generation=1", "status={\"replicas\":0}");
        yield return Row("StatefulSet", "apis/apps/v1/namespaces/{ns}/statefulsets",
            $$$"""{"metadata":{"name":"x"},"spec":{"serviceName":"x","selector":{{{Selector}}},"template":{{{Template}}}}}""",
            "metadata.generation=1", "status={\"replicas\":0,\"availableReplicas\":0}");
        yield return Row("DaemonSet", "apis/apps/v1/namespaces/{ns}/daemonsets",
            $$$"""{"metadata":{"name":"x"},"spec":{"selector":{{{Selector}}},"template":{{{Template}}}}}""",
            "metadata.generation=1", "status={\"currentNumberScheduled\":0,\"numberMisscheduled\":0,\"desiredNumberScheduled\":0,\"numberReady\":0}");
        yield return Row("Job", "apis/batch/v1/namespaces/{ns}/jobs",
            """{"metadata":{"name":"x"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox:1.36"}]}}}}""",
            "metadata.generation=1", "status={}");
    }

    [TestCaseSource(nameof(Kinds))]
    public async Task CreateAnswersAsTheRealServer(string collection, string body, string[] expected)
    {
        var ns = await NewNamespaceAsync();
        using var http = Server.CreateHttpClient(KubeconfigIdentity.Admin);
        using var response = await http.PostAsync("/" + collection.Replace("{ns}", ns), new StringContent(body, Encoding.UTF8, "application/json"), Timeout);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(Timeout))!;
        Assert.That((int)response.StatusCode, Is.EqualTo(201), answer.ToJsonString());
        Assert.Multiple(() =>
        {
            foreach (var expectation in expected)
            {
                var (path, value) = (expectation[..expectation.IndexOf('=')], expectation[(expectation.IndexOf('=') + 1)..]);
                var actual = path.Split('.').Aggregate((JsonNode?)answer, (node, key) => node?[key]);
                if (value == Absent) Assert.That(actual, Is.Null, $"{path} is not in a real server's answer");
                else Assert.That(actual?.ToJsonString(), Is.EqualTo(JsonNode.Parse(value)!.ToJsonString()), path);
            }
        });
    }
}
