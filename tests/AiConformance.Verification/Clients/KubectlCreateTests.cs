using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// kubectl's typed <c>create</c> commands, which send the objects kubectl builds itself as Kubernetes protobuf, against
/// the simulated cluster: each is created and reads back as it was asked for. Skipped where kubectl is absent.
/// </summary>
[NonParallelizable]
public sealed class KubectlCreateTests : RealClientFixture
{
    [OneTimeSetUp]
    public void RequireKubectl()
    {
        if (ClientProcess.Find("kubectl") is null) Assert.Ignore("kubectl is not installed on this machine; the kubectl create tests need it");
    }

    [Test]
    public async Task TypedCreateCommandsSendProtobufAndTheObjectsReadBackAsAsked()
    {
        const string ns = "typed";
        await ExpectAsync(["create", "namespace", ns], "namespace/typed created");
        await ExpectAsync(["get", "namespace", ns, "-o", "jsonpath={.status.phase}"], "Active");

        await ExpectAsync(["create", "deployment", "idle", "-n", ns, "--image=busybox:1.36", "--replicas=0"], "deployment.apps/idle created");
        // A Deployment of 0 replicas stays at 0: the zero survives the protobuf body (it is not defaulted to 1).
        await ExpectAsync(["get", "deployment", "idle", "-n", ns, "-o", "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}"], "0 busybox:1.36");

        await ExpectAsync(["create", "configmap", "settings", "-n", ns, "--from-literal=mode=fast"], "configmap/settings created");
        await ExpectAsync(["get", "configmap", "settings", "-n", ns, "-o", "jsonpath={.data.mode}"], "fast");
        await ExpectAsync(["create", "secret", "generic", "token", "-n", ns, "--from-literal=value=s3cret"], "secret/token created");
        await ExpectAsync(["get", "secret", "token", "-n", ns, "-o", "jsonpath={.data.value}"], "czNjcmV0");

        await ExpectAsync(["create", "job", "once", "-n", ns, "--image=busybox:1.36", "--", "echo", "done"], "job.batch/once created");
        await ExpectAsync(["get", "job", "once", "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].command}"], "[\"echo\",\"done\"]");
        await ExpectAsync(["create", "cronjob", "nightly", "-n", ns, "--image=busybox:1.36", "--schedule=0 3 * * *", "--", "true"], "cronjob.batch/nightly created");
        await ExpectAsync(["get", "cronjob", "nightly", "-n", ns, "-o", "jsonpath={.spec.schedule}"], "0 3 * * *");

        await ExpectAsync(["create", "serviceaccount", "robot", "-n", ns], "serviceaccount/robot created");
        await ExpectAsync(["create", "role", "reader", "-n", ns, "--verb=get,list", "--resource=pods"], "role.rbac.authorization.k8s.io/reader created");
        await ExpectAsync(["create", "rolebinding", "robot-reads", "-n", ns, "--role=reader", "--serviceaccount=typed:robot"],
            "rolebinding.rbac.authorization.k8s.io/robot-reads created");
        await ExpectAsync(["get", "rolebinding", "robot-reads", "-n", ns, "-o", "jsonpath={.roleRef.name} {.subjects[0].name}"], "reader robot");

        await ExpectAsync(["create", "service", "clusterip", "web", "-n", ns, "--tcp=80:8080"], "service/web created");
        await ExpectAsync(["get", "service", "web", "-n", ns, "-o", "jsonpath={.spec.ports[0].port} {.spec.ports[0].targetPort}"], "80 8080");
        // An Ingress rule embeds its http rules (inline in JSON, a field of its own in protobuf).
        await ExpectAsync(["create", "ingress", "web", "-n", ns, "--rule=example.com/api=web:80"], "ingress.networking.k8s.io/web created");
        await ExpectAsync(["get", "ingress", "web", "-n", ns, "-o", "jsonpath={.spec.rules[0].host} {.spec.rules[0].http.paths[0].backend.service.name}"],
            "example.com web");
        await ExpectAsync(["create", "poddisruptionbudget", "web", "-n", ns, "--selector=app=web", "--min-available=1"], "poddisruptionbudget.policy/web created");
        await ExpectAsync(["get", "poddisruptionbudget", "web", "-n", ns, "-o", "jsonpath={.spec.minAvailable}"], "1");

        await ExpectAsync(["delete", "namespace", ns, "--wait=false"], "namespace \"typed\" deleted");
    }

    [Test]
    public async Task ErrorsOfTypedCommandsAreReadFromTheirProtobufStatus()
    {
        // The typed client prefers protobuf, so the refusal comes as a protobuf Status, which kubectl must read back.
        var (code, _, errors) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, "create", "namespace", "default"]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.Not.Zero);
            Assert.That(errors, Does.Contain("Error from server (AlreadyExists): namespaces \"default\" already exists"));
        });
    }

    private async Task ExpectAsync(string[] arguments, string expected)
    {
        var (code, output, errors) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, .. arguments]);
        Assert.That(code, Is.Zero, $"kubectl {string.Join(' ', arguments)}: {errors}");
        Assert.That(output, Does.Contain(expected), $"kubectl {string.Join(' ', arguments)}");
    }
}
