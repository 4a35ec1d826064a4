using System.Diagnostics;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>The real kubectl against the simulated server: discovery, tables, apply, wait, logs, delete.</summary>
public sealed class KubectlTests : FidelityFixture
{
    private static readonly ResourceKind Nodes = new("", "v1", "Node", "nodes", false);
    private static readonly ResourceKind Pods = new("", "v1", "Pod", "pods", true);

    [OneTimeSetUp]
    public void RequireKubectlAndANode()
    {
        if (FindKubectl() is null) Assert.Ignore("kubectl is not on PATH; the kubectl fidelity tests need it (install kubectl to run them).");
        Server.Store.Create(Nodes, JsonNode.Parse("""
            {"metadata":{"name":"gpu-node-1","labels":{"node-role.kubernetes.io/worker":""}},
             "status":{"conditions":[{"type":"Ready","status":"True"}],"nodeInfo":{"kubeletVersion":"v1.35.0"}}}
            """)!.AsObject());
    }

    [Test]
    public async Task GetNodesPrintsATable()
    {
        var output = await KubectlAsync("get", "nodes");
        Assert.That(output, Does.Match(@"NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION"));
        Assert.That(output, Does.Match(@"gpu-node-1\s+Ready\s+worker\s+\S+\s+v1\.35\.0"));
    }

    [Test]
    public async Task GetNamespacesAsJsonListsTheDefaults()
    {
        var list = JsonNode.Parse(await KubectlAsync("get", "ns", "-o", "json"))!;
        var names = list["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>());
        Assert.That(names, Is.SupersetOf(new[] { "default", "kube-system" }));
    }

    [Test]
    public async Task ApiResourcesComeFromAggregatedDiscovery()
    {
        var output = await KubectlAsync("api-resources", "--api-group=resource.k8s.io");
        Assert.That(output, Does.Contain("resourceclaims").And.Contain("deviceclasses").And.Contain("resource.k8s.io/v1 "));
        Assert.That(output, Does.Not.Contain("v1beta1"), "beta APIs are off by default");
    }

    [Test]
    public async Task ApplyWaitLogsAndDeleteAPod()
    {
        var manifest = Path.Combine(WorkDirectory, "pod.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: v1
            kind: Pod
            metadata:
              name: kubectl-pod
              labels: {app: demo}
            spec:
              containers:
              - name: main
                image: busybox:1.36
                resources:
                  limits: {cpu: "1", memory: 64Mi}
            """);
        Assert.That(await KubectlAsync("apply", "-f", manifest), Does.Contain("pod/kubectl-pod created"));
        Assert.That(await KubectlAsync("apply", "-f", manifest), Does.Contain("pod/kubectl-pod unchanged"));

        Server.Store.Mutate(Pods, "default", "kubectl-pod", pod => pod["status"] = JsonNode.Parse("""
            {"phase":"Running","conditions":[{"type":"Ready","status":"True"}],
             "containerStatuses":[{"name":"main","ready":true,"restartCount":0,"image":"busybox:1.36","imageID":"","state":{"running":{}}}]}
            """), statusOnly: true);
        Assert.That(await KubectlAsync("wait", "--for=condition=Ready", "pod/kubectl-pod", "--timeout=10s"), Does.Contain("condition met"));
        Server.LogProvider = (_, pod, _, _) => pod == "kubectl-pod" ? "hello from main\n" : null;
        Assert.That(await KubectlAsync("logs", "kubectl-pod"), Is.EqualTo("hello from main\n"));
        Assert.That(await KubectlAsync("get", "pod", "kubectl-pod"), Does.Match(@"kubectl-pod\s+1/1\s+Running\s+0"));

        Assert.That(await KubectlAsync("delete", "-f", manifest), Does.Contain("pod \"kubectl-pod\" deleted"));
        Assert.That(Server.Store.Get(Pods, "default", "kubectl-pod"), Is.Null);
    }

    [Test]
    public async Task ApplyADraClaimTemplateWithAPodAndListResourceSlices()
    {
        var manifest = Path.Combine(WorkDirectory, "dra.yaml");
        await File.WriteAllTextAsync(manifest, """
            apiVersion: resource.k8s.io/v1
            kind: ResourceSlice
            metadata:
              name: gpu-node-1-slice
            spec:
              nodeName: gpu-node-1
              driver: gpu.example.com
              pool: {name: gpu-node-1, generation: 1, resourceSliceCount: 1}
              devices:
              - name: gpu-0
                attributes:
                  model: {string: "A100"}
            ---
            apiVersion: resource.k8s.io/v1
            kind: ResourceClaimTemplate
            metadata:
              name: one-gpu
            spec:
              spec:
                devices:
                  requests:
                  - name: gpu
                    exactly:
                      deviceClassName: gpu.example.com
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: gpu-pod
            spec:
              resourceClaims:
              - name: gpu
                resourceClaimTemplateName: one-gpu
              containers:
              - name: main
                image: busybox:1.36
                resources:
                  claims:
                  - name: gpu
            """);
        var violationsBefore = Server.FidelityViolations.Count;
        Assert.That(await KubectlAsync("apply", "-f", manifest), Does.Contain("pod/gpu-pod created"));
        Assert.That(Server.FidelityViolations.Count, Is.EqualTo(violationsBefore), "real DRA manifests carry no unknown fields");
        Assert.That(await KubectlAsync("get", "resourceslices"), Does.Match(@"gpu-node-1-slice\s+gpu-node-1\s+gpu\.example\.com\s+gpu-node-1"));
        await KubectlAsync("delete", "-f", manifest);
    }

    [Test]
    public async Task AFieldSelectorTheRegistryDoesNotIndexIsRefused()
    {
        var (code, output) = await RunKubectlAsync(AdminKubeconfig, "get", "pods", "--field-selector", "spec.priority=0");
        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("field label not supported: spec.priority"));
    }

    [Test]
    public async Task ThePluginIdentityIsDeniedWhatItsRoleLacks()
    {
        var (code, output) = await RunKubectlAsync(PluginKubeconfig, "get", "secrets");
        Assert.That(code, Is.Not.Zero);
        Assert.That(output, Does.Contain("secrets is forbidden: User \"system:serviceaccount:sonobuoy:ai-conformance\" cannot list resource \"secrets\""));
    }

    private async Task<string> KubectlAsync(params string[] arguments)
    {
        var (code, output) = await RunKubectlAsync(AdminKubeconfig, arguments);
        Assert.That(code, Is.Zero, $"kubectl {string.Join(' ', arguments)} failed: {output}");
        return output;
    }

    private static async Task<(int Code, string Output)> RunKubectlAsync(string kubeconfig, params string[] arguments)
    {
        var start = new ProcessStartInfo(FindKubectl()!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = Path.GetDirectoryName(kubeconfig);
        using var process = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? FindKubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "kubectl"))
            .FirstOrDefault(File.Exists);

}
