using System.Globalization;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Pods, Deployments, Services and Jobs that run the plugin image's workload roles (<c>serve-echo</c>,
/// <c>serve-model</c>, <c>load</c>), meeting the "restricted" Pod Security Standard as the probe does.
/// </summary>
public static class RoleWorkloads
{
    public const string AppLabel = "app.kubernetes.io/name";

    public static V1PodSpec PodSpec(SuiteConfiguration configuration, string role, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string restartPolicy = "Always", int? port = null, string readinessPath = "/healthz") => new()
    {
        RestartPolicy = restartPolicy,
        TerminationGracePeriodSeconds = 5,
        AutomountServiceAccountToken = false,
        SecurityContext = new V1PodSecurityContext { RunAsNonRoot = true, SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" } },
        ImagePullSecrets = DefaultImages.PullSecrets(configuration) is { Count: > 0 } secrets
            ? [.. secrets.Select(secret => new V1LocalObjectReference { Name = secret })]
            : null,
        Containers =
        [
            new V1Container
            {
                Name = role,
                Image = DefaultImages.PluginImage(configuration),
                Command = ["aiconformance", role, .. arguments],
                Env = environment is null ? null : [.. environment.Select(variable => new V1EnvVar { Name = variable.Key, Value = variable.Value })],
                Ports = port is { } number ? [new V1ContainerPort { ContainerPort = number, Name = "http" }] : null,
                ReadinessProbe = port is { } probed ? new V1Probe { HttpGet = new V1HTTPGetAction { Path = readinessPath, Port = probed } } : null,
                SecurityContext = new V1SecurityContext { AllowPrivilegeEscalation = false, Capabilities = new V1Capabilities { Drop = ["ALL"] } },
            },
        ],
    };

    /// <summary>A Deployment of <paramref name="replicas"/> pods labelled <c>app.kubernetes.io/name=&lt;name&gt;</c>.</summary>
    public static V1Deployment Deployment(string name, int replicas, V1PodSpec spec) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [AppLabel] = name } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [AppLabel] = name } },
                Spec = spec,
            },
        },
    };

    /// <summary>A ClusterIP Service named <paramref name="name"/> in front of the pods of the Deployment of that name.</summary>
    public static V1Service Service(string name, int port, int targetPort) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec
        {
            Selector = new Dictionary<string, string> { [AppLabel] = name },
            Ports = [new V1ServicePort { Name = "http", Port = port, TargetPort = targetPort, Protocol = "TCP" }],
        },
    };

    /// <summary>A Job that runs the role once (no retries: a failed run is a result to report, not to hide).</summary>
    public static V1Job Job(string name, V1PodSpec spec) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            BackoffLimit = 0,
            Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { [AppLabel] = name } }, Spec = spec },
        },
    };

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
