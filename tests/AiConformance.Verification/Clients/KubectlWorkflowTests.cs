using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// The real kubectl through a user's everyday workflow against the simulated cluster: apply a namespace and a
/// Deployment, run a pod, expose, scale, wait for the rollout, exec, read logs, delete. Skipped where kubectl is absent.
/// (The typed <c>kubectl create</c> commands are in <see cref="KubectlCreateTests"/>.)
/// </summary>
[NonParallelizable]
public sealed class KubectlWorkflowTests : RealClientFixture
{
    private const string Manifest = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: workflow}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: workflow}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: web
                image: busybox:1.36
                command: ["sh", "-c", "echo serving; trap 'exit 0' TERM; sleep 3600 & wait"]
        """;

    [OneTimeSetUp]
    public void RequireKubectl()
    {
        if (ClientProcess.Find("kubectl") is null) Assert.Ignore("kubectl is not installed on this machine; the kubectl workflow test needs it");
    }

    [Test]
    public async Task ApplyRunExposeScaleRolloutExecLogsDelete()
    {
        var manifest = Path.Combine(WorkDirectory, "workflow.yaml");
        await File.WriteAllTextAsync(manifest, Manifest);
        await ExpectAsync(["apply", "-f", manifest], "namespace/workflow created", "deployment.apps/web created");
        await ExpectAsync(["run", "one", "-n", "workflow", "--image=busybox:1.36", "--", "sh", "-c", "echo ran; sleep 3600"], "pod/one created");
        await ExpectAsync(["expose", "deployment", "web", "-n", "workflow", "--port=80", "--target-port=8080"], "service/web exposed");
        await ExpectAsync(["get", "service", "web", "-n", "workflow", "-o", "jsonpath={.spec.ports[0].targetPort} {.status}"], "8080 {\"loadBalancer\":{}}");
        await ExpectAsync(["scale", "deployment", "web", "-n", "workflow", "--replicas=2"], "deployment.apps/web scaled");
        await ExpectAsync(["rollout", "status", "deployment/web", "-n", "workflow", "--timeout=90s"], "deployment \"web\" successfully rolled out");
        await ExpectAsync(["exec", "-n", "workflow", "deploy/web", "--", "printenv", "HOSTNAME"], "web-");
        await ExpectAsync(["logs", "-n", "workflow", "deploy/web"], "serving");
        await ExpectAsync(["wait", "-n", "workflow", "--for=condition=Ready", "pod/one", "--timeout=90s"], "pod/one condition met");
        await ExpectAsync(["logs", "-n", "workflow", "one"], "ran");
        await ExpectAsync(["delete", "deployment", "web", "-n", "workflow"], "deployment.apps \"web\" deleted");
        await ExpectAsync(["delete", "namespace", "workflow", "--wait=false"], "namespace \"workflow\" deleted");
    }

    [Test]
    public async Task RunWithRemoveWaitsForThePodThroughAProtobufWatch()
    {
        // kubectl run -i --rm follows its pod with client-go's typed client, which asks for protobuf first.
        var (code, output, errors) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, "-v=8", "run", "once", "--rm", "-i",
            "--restart=Never", "--image=busybox:1.36", "--", "sh", "-c", "echo once-ran"]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Zero, errors);
            Assert.That(output, Does.Contain("once-ran").And.Contain("pod \"once\" deleted"));
            Assert.That(errors, Does.Contain("watch=true").And.Contain("Content-Type: application/vnd.kubernetes.protobuf;stream=watch"),
                "kubectl watched its pod through a protobuf stream");
            Assert.That(errors, Does.Not.Contain("unable to decode").And.Not.Contain("error decoding"), errors);
        });
    }

    private async Task ExpectAsync(string[] arguments, params string[] expected)
    {
        var (code, output, errors) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, .. arguments]);
        Assert.That(code, Is.Zero, $"kubectl {string.Join(' ', arguments)}: {errors}");
        foreach (var text in expected) Assert.That(output, Does.Contain(text), $"kubectl {string.Join(' ', arguments)}");
    }
}
