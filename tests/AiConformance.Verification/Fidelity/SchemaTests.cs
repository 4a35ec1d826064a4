using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>Objects are decoded against the published schemas; what a real server would drop is a fidelity violation.</summary>
public sealed class SchemaTests : FidelityFixture
{
    [Test]
    public async Task AnUnknownFieldIsDroppedWarnedAndRecordedAsAViolation()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Timeout);
        var before = Server.FidelityViolations.Count;
        using var response = await Admin.CoreV1.PatchNamespacedPodWithHttpMessagesAsync(
            new V1Patch("{\"spec\":{\"containers\":[{\"name\":\"main\",\"gpuCount\":1}]}}", V1Patch.PatchType.StrategicMergePatch),
            "p", ns, cancellationToken: Timeout);
        Assert.That(response.Response.Headers.GetValues("Warning").Single(), Does.Contain("unknown field \\\"spec.containers[0].gpuCount\\\""));
        var violation = Server.FidelityViolations.Skip(before).Single();
        Assert.That((violation.Resource, violation.ObjectName, violation.Field), Is.EqualTo(("pods", "p", "spec.containers[0].gpuCount")));
        Assert.That(violation.Source, Is.EqualTo("API user kubernetes-admin"));
        using var http = Server.CreateHttpClient();
        var stored = await http.GetStringAsync($"/api/v1/namespaces/{ns}/pods/p", Timeout);
        Assert.That(stored, Does.Not.Contain("gpuCount"));
    }

    [Test]
    public async Task StrictFieldValidationRefusesAnUnknownField()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns, fieldValidation: "Strict", cancellationToken: Timeout);
        var (code, status) = await FailureOf(() => Admin.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch("{\"bogus\":true}", V1Patch.PatchType.MergePatch), "cm", ns, fieldValidation: "Strict", cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(400));
        Assert.That(status!.Message, Is.EqualTo("strict decoding error: unknown field \"bogus\""));
    }

    [Test]
    public async Task AWrongTypeInABuiltInKindCannotBeDecoded()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Timeout);
        var (code, status) = await FailureOf(() => Admin.CoreV1.PatchNamespacedPodAsync(
            new V1Patch("{\"spec\":{\"activeDeadlineSeconds\":\"soon\"}}", V1Patch.PatchType.MergePatch), "p", ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(400));
        Assert.That(status!.Message, Does.StartWith("Pod in version \"v1\" cannot be handled as a Pod:"));
    }

    [Test]
    public async Task ContainersNeedANameAndAnImage()
    {
        var ns = await NewNamespaceAsync();
        var pod = Pod("p");
        pod.Spec.Containers[0].Image = null;
        var (code, status) = await FailureOf(() => Plugin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(422));
        Assert.That(status!.Details.Causes.Select(c => c.Field), Is.EqualTo(new[] { "spec.containers[0].image" }));
    }

    [Test]
    public async Task QuantitiesAreCanonicalAndRequestsDefaultToLimits()
    {
        var ns = await NewNamespaceAsync();
        using var http = Server.CreateHttpClient();
        var body = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"},"spec":{"containers":[{"name":"m","image":"x:1","resources":{"limits":{"cpu":0.5,"memory":"1Gi"}}}]}}
            """;
        using var created = await http.PostAsync($"/api/v1/namespaces/{ns}/pods", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Timeout);
        Assert.That((int)created.StatusCode, Is.EqualTo(201));
        var pod = await Plugin.CoreV1.ReadNamespacedPodAsync("q", ns, cancellationToken: Timeout);
        Assert.That(pod.Spec.Containers[0].Resources.Limits["cpu"].ToString(), Is.EqualTo("500m"));
        Assert.That(pod.Spec.Containers[0].Resources.Requests["memory"].ToString(), Is.EqualTo("1Gi"));
        Assert.That(pod.Status.QosClass, Is.EqualTo("Guaranteed"));
    }
}
