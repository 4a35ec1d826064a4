using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>
/// One simulated API server per fixture, with the real KubernetesClient talking to it through written kubeconfigs:
/// <see cref="Admin"/> (system:masters) and <see cref="Plugin"/> (the plugin's ServiceAccount, under its RBAC).
/// </summary>
public abstract class FidelityFixture
{
    protected SimulatedApiServer Server { get; private set; } = null!;
    protected Kubernetes Admin { get; private set; } = null!;
    protected Kubernetes Plugin { get; private set; } = null!;
    protected string WorkDirectory { get; private set; } = "";
    protected string AdminKubeconfig => Path.Combine(WorkDirectory, "admin.kubeconfig");
    protected string PluginKubeconfig => Path.Combine(WorkDirectory, "plugin.kubeconfig");

    protected virtual SimulatedApiServerOptions Options => new();

    protected static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        WorkDirectory = Directory.CreateTempSubdirectory("fidelity-").FullName;
        Server = await SimulatedApiServer.StartAsync(Options, Timeout);
        Server.WriteKubeconfig(AdminKubeconfig, KubeconfigIdentity.Admin);
        Server.WriteKubeconfig(PluginKubeconfig, KubeconfigIdentity.Plugin);
        Admin = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(AdminKubeconfig));
        Plugin = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(PluginKubeconfig));
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        Admin.Dispose();
        Plugin.Dispose();
        await Server.DisposeAsync();
        Directory.Delete(WorkDirectory, recursive: true);
    }

    /// <summary>A fresh namespace for one test.</summary>
    protected async Task<string> NewNamespaceAsync()
    {
        var ns = await Plugin.CoreV1.CreateNamespaceAsync(
            new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = "fidelity-" } }, cancellationToken: Timeout);
        return ns.Metadata.Name;
    }

    protected static V1Pod Pod(string name, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "main", Image = "registry.k8s.io/pause:3.10" }] },
    };

    protected static V1ConfigMap ConfigMap(string name, V1ObjectMeta? meta = null)
    {
        var metadata = meta ?? new V1ObjectMeta();
        metadata.Name = name;
        return new V1ConfigMap { Metadata = metadata, Data = new Dictionary<string, string> { ["k"] = "v" } };
    }

    /// <summary>Runs a call that must fail and returns the HTTP status and the Status body the server sent.</summary>
    protected static async Task<(int Code, V1Status? Status)> FailureOf(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException error)
        {
            var status = string.IsNullOrEmpty(error.Response.Content) ? null : KubernetesJson.Deserialize<V1Status>(error.Response.Content);
            return ((int)error.Response.StatusCode, status);
        }
        Assert.Fail("the call was expected to fail, but it succeeded");
        return (0, null);
    }
}
