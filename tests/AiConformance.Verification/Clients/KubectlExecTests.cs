using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// The real kubectl's <c>exec</c> and <c>attach</c> against the simulated cluster (WebSocket, kubectl 1.30 and newer): output, exit
/// codes passed on as kubectl's own, and the container's simulated programs. Skipped where kubectl is absent.
/// </summary>
public sealed class KubectlExecTests : RealClientFixture
{
    [OneTimeSetUp]
    public void RequireKubectl()
    {
        if (ClientProcess.Find("kubectl") is null) Assert.Ignore("kubectl is not installed on this machine; the kubectl exec tests need it");
    }

    [Test]
    public async Task ExecPrintsTheOutputAndExitsWithTheCommandsCode()
    {
        var (ns, pod) = await RunningPodAsync();
        var (code, output, errors) = await KubectlAsync("exec", "-n", ns, pod, "--", "sh", "-c", "echo hi from $HOSTNAME; exit 4");
        Assert.That(output, Is.EqualTo("hi from shell\n"), errors);
        Assert.That(code, Is.EqualTo(4), errors);
        Assert.That(errors, Does.Contain("command terminated with exit code 4"));
    }

    [Test]
    public async Task ExecOfASucceedingCommandExitsZero()
    {
        var (ns, pod) = await RunningPodAsync();
        var (code, output, errors) = await KubectlAsync("exec", "-n", ns, pod, "-c", "main", "--", "printenv", "HOSTNAME");
        Assert.That((code, output), Is.EqualTo((0, "shell\n")), errors);
    }

    [Test]
    public async Task ExecOverSpdyAsOlderKubectlsSpeakItPrintsTheOutputAndExitCode()
    {
        var (ns, pod) = await RunningPodAsync();
        var spdy = new Dictionary<string, string> { ["KUBECTL_REMOTE_COMMAND_WEBSOCKETS"] = "false" };
        var (code, output, errors) = await ClientProcess.RunAsync("kubectl",
            ["--kubeconfig", Kubeconfig, "exec", "-n", ns, pod, "--", "sh", "-c", "echo hi from $HOSTNAME; exit 4"], environment: spdy);
        Assert.That((code, output), Is.EqualTo((4, "hi from shell\n")), errors);
        var (zero, hostname, _) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, "exec", "-n", ns, pod, "--", "hostname"], environment: spdy);
        Assert.That((zero, hostname), Is.EqualTo((0, "shell\n")));
    }

    [Test]
    public async Task AttachSendsStdinToTheMainProcessAndPrintsItsOutput()
    {
        var (ns, pod) = await StdinPodAsync(stdinOnce: true);
        // kubectl closes stdin at the end of its input; with stdinOnce cat then ends, and so does the attach.
        var (code, output, errors) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, "attach", "-i", "-n", ns, pod, "-c", "main"], input: "hello from kubectl\n");
        Assert.That((code, output), Is.EqualTo((0, "hello from kubectl\n")), errors);
    }

    [Test]
    public async Task AttachOverSpdyIsRefusedNamingTheWebSocketProtocols()
    {
        var (ns, pod) = await StdinPodAsync(stdinOnce: true);
        var spdy = new Dictionary<string, string> { ["KUBECTL_REMOTE_COMMAND_WEBSOCKETS"] = "false" };
        var (code, _, errors) = await ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, "attach", "-i", "-n", ns, pod], environment: spdy, input: "");
        Assert.That(code, Is.Not.Zero);
        Assert.That(errors, Does.Contain("streams pods/attach over WebSocket"));
    }

    private Task<(int Code, string Output, string Errors)> KubectlAsync(params string[] arguments) =>
        ClientProcess.RunAsync("kubectl", ["--kubeconfig", Kubeconfig, .. arguments]);
}
