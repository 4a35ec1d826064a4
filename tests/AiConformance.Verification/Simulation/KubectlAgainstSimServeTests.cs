using System.Diagnostics;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// `aiconformance sim serve` driven by the real kubectl, as a user would: the everyday verbs must work against it.
/// Skipped (with the reason) where kubectl is not installed.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class KubectlAgainstSimServeTests
{
    private const string PodWithClaimTemplate = """
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
                  deviceClassName: gpu.nvidia.com
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: x
        spec:
          containers:
          - name: main
            image: ubuntu:24.04
            command: ["bash", "-c", "nvidia-smi -L; trap 'exit 0' TERM; sleep 9999 & wait"]
            resources:
              claims:
              - name: gpu
          resourceClaims:
          - name: gpu
            resourceClaimTemplateName: one-gpu
        """;

    private Process? server;
    private string directory = "";
    private string kubeconfig = "";

    [OneTimeSetUp]
    public async Task StartSimServeAsync()
    {
        if (FindOnPath("kubectl") is null) Assert.Ignore("kubectl is not installed on this machine; the sim serve + kubectl test needs it");
        directory = Directory.CreateTempSubdirectory("sim-serve-").FullName;
        kubeconfig = Path.Combine(directory, "kubeconfig");
        var executable = Path.Combine(AppContext.BaseDirectory, "aiconformance.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", executable, "sim", "serve", "--scenario", "reference", "--kubeconfig-out", kubeconfig])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        server = Process.Start(start)!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null) Assert.Fail($"sim serve exited early: {await server.StandardError.ReadToEndAsync()}");
            if (line!.StartsWith("ready", StringComparison.Ordinal)) return;
        }
        Assert.Fail("sim serve did not say ready within 60 s");
    }

    [OneTimeTearDown]
    public async Task StopSimServeAsync()
    {
        if (server is null) return;
        if (!server.HasExited)
        {
            using var interrupt = Process.Start("kill", ["-INT", server.Id.ToString()]);
            await interrupt.WaitForExitAsync();
            if (!server.WaitForExit(TimeSpan.FromSeconds(15))) server.Kill(entireProcessTree: true);
        }
        server.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Test, Order(1)]
    public async Task GetNodesListsTheScenarioNodes()
    {
        var (code, output) = await KubectlAsync("get", "nodes", "-o", "name");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("node/control-plane").And.Contain("node/gpu-node-0").And.Contain("node/gpu-node-1"));
    }

    [Test, Order(2)]
    public async Task GetResourceSlicesShowsTheDriversSlices()
    {
        var (code, output) = await KubectlAsync("get", "resourceslices", "-o", "custom-columns=NODE:.spec.nodeName,DRIVER:.spec.driver");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("gpu-node-0").And.Contain("gpu.nvidia.com"));
    }

    [Test, Order(3)]
    public async Task APodWithAClaimTemplateIsAppliedBecomesReadyLogsItsGpuAndIsDeleted()
    {
        var manifest = Path.Combine(directory, "pod.yaml");
        await File.WriteAllTextAsync(manifest, PodWithClaimTemplate);

        var apply = await KubectlAsync("apply", "-f", manifest);
        Assert.That(apply.Code, Is.Zero, apply.Output);
        Assert.That(apply.Output, Does.Contain("resourceclaimtemplate.resource.k8s.io/one-gpu created").And.Contain("pod/x created"));

        var wait = await KubectlAsync("wait", "--for=condition=Ready", "pod/x", "--timeout=60s");
        Assert.That(wait.Code, Is.Zero, wait.Output);
        Assert.That(wait.Output, Does.Contain("pod/x condition met"));

        var logs = await KubectlAsync("logs", "x");
        Assert.That(logs.Code, Is.Zero, logs.Output);
        Assert.That(logs.Output, Does.Match(@"^GPU 0: NVIDIA .* \(UUID: GPU-[0-9a-f-]+\)\s*$"));

        var delete = await KubectlAsync("delete", "-f", manifest, "--wait=true");
        Assert.That(delete.Code, Is.Zero, delete.Output);
        var gone = await KubectlAsync("get", "pod", "x");
        Assert.That(gone.Code, Is.Not.Zero);
        Assert.That(gone.Output, Does.Contain("NotFound"));
    }

    private async Task<(int Code, string Output)> KubectlAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl", ["--kubeconfig", kubeconfig, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var kubectl = Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var errors = kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(90)).Token);
        return (kubectl.ExitCode, await output + await errors);
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);
}
