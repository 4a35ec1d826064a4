using AiConformance.Checklist;
using k8s;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Builds the run context when the Suite runs under <c>dotnet test</c> instead of the plugin's runner: the cluster from
/// <c>KUBECONFIG</c> (or <c>~/.kube/config</c>, or the in-cluster service account), the configuration from the file named
/// by <c>AICONFORMANCE_CONFIG_FILE</c> plus <c>AICONFORMANCE_*</c> overrides, and the checklist from
/// <c>AICONFORMANCE_CHECKLIST_VERSION</c> or the cluster's version.
/// </summary>
internal static class RunContextFromEnvironment
{
    public const string ChecklistVariable = "AICONFORMANCE_CHECKLIST_VERSION";

    public static RunContext Build()
    {
        var configuration = SuiteConfiguration.Load(Environment.GetEnvironmentVariable(SuiteConfiguration.FileVariable));
        var kubernetes = new Kubernetes(KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(Environment.GetEnvironmentVariable("KUBECONFIG")), new TransientErrorRetryHandler());
        return new RunContext
        {
            Kubernetes = kubernetes,
            RunId = RunContext.NewRunId(),
            Checklist = ChooseChecklist(kubernetes),
            Configuration = configuration,
        };
    }

    private static ChecklistVersion ChooseChecklist(IKubernetes kubernetes)
    {
        var named = Environment.GetEnvironmentVariable(ChecklistVariable);
        if (!string.IsNullOrWhiteSpace(named))
        {
            return ChecklistSelection.Named(named);
        }
        var version = kubernetes.Version.GetCode();
        return ChecklistSelection.ForServerVersion(version.GitVersion).Checklist;
    }
}
