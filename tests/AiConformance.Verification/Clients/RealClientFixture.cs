using AiConformance.ClusterSim.Server;
using AiConformance.Verification.Simulation;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// A simulated cluster (API server and kubelets) for a real client program: an admin kubeconfig file, and a running
/// pod to exec into.
/// </summary>
public abstract class RealClientFixture : SimulatedClusterFixture
{
    protected string Kubeconfig { get; private set; } = "";
    private string directory = "";

    [OneTimeSetUp]
    public void WriteKubeconfig()
    {
        directory = Directory.CreateTempSubdirectory("real-client-").FullName;
        Kubeconfig = Path.Combine(directory, "kubeconfig");
        Host.Server.WriteKubeconfig(Kubeconfig, KubeconfigIdentity.Admin);
    }

    [OneTimeTearDown]
    public void RemoveKubeconfig() => Directory.Delete(directory, recursive: true);

    protected string WorkDirectory => directory;

    /// <summary>A pod whose container runs until stopped, once it is Running.</summary>
    protected async Task<(string Namespace, string Pod)> RunningPodAsync()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "shell" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
                Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
            },
        }, ns, cancellationToken: Timeout);
        await PodEventuallyAsync(ns, "shell", pod => pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null, "a running container");
        return (ns, "shell");
    }
    /// <summary>
    /// A pod <c>reader</c> whose main process copies its stdin to its output (<c>cat</c>, <c>stdin: true</c>), once it
    /// is Running. With <paramref name="stdinOnce"/> its stdin closes when the first attached client's ends, and the
    /// pod is not restarted.
    /// </summary>
    protected async Task<(string Namespace, string Pod)> StdinPodAsync(bool stdinOnce)
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "reader" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "main", Image = "busybox:1.36", Command = ["cat"], Stdin = true, StdinOnce = stdinOnce }],
                RestartPolicy = stdinOnce ? "Never" : "Always",
                Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
            },
        }, ns, cancellationToken: Timeout);
        await PodEventuallyAsync(ns, "reader", pod => pod.Status?.ContainerStatuses?.FirstOrDefault()?.State?.Running is not null, "a running container");
        return (ns, "reader");
    }

    /// <summary>
    /// A ready pod <c>echo</c> running the image's serve-echo role on port 8080 (named <c>http</c>), and the Service
    /// <c>echo</c> whose port 80 targets it.
    /// </summary>
    protected async Task<(string Namespace, string Pod)> EchoPodAsync()
    {
        var ns = await NewNamespaceAsync();
        var labels = new Dictionary<string, string> { ["app"] = "echo" };
        await Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "echo", Labels = labels },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "echo",
                        Image = "registry.example/ai-conformance:test",
                        Command = ["aiconformance", "serve-echo"],
                        Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }],
                        ReadinessProbe = new V1Probe { PeriodSeconds = 1, HttpGet = new V1HTTPGetAction { Port = "http", Path = "/healthz" } },
                    },
                ],
                Tolerations = [new V1Toleration { OperatorProperty = "Exists" }],
            },
        }, ns, cancellationToken: Timeout);
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "echo" },
            Spec = new V1ServiceSpec { Selector = labels, Ports = [new V1ServicePort { Port = 80, TargetPort = "http" }] },
        }, ns, cancellationToken: Timeout);
        await PodEventuallyAsync(ns, "echo", pod => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true, "Ready");
        return (ns, "echo");
    }
}
