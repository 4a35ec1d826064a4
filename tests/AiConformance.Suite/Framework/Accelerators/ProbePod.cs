using k8s.Models;
using AiConformance.Workloads;

namespace AiConformance.Suite.Framework;

/// <summary>One container of a probe pod and what it asks for.</summary>
public sealed record ProbeContainer
{
    public string Name { get; init; } = "probe";

    /// <summary>Pod-level claim names (<see cref="ProbePod.Claims"/>) this container uses.</summary>
    public IReadOnlyList<string> Claims { get; init; } = [];

    /// <summary>Extended resources (device plugins) as limits, e.g. <c>nvidia.com/gpu: 1</c>.</summary>
    public IReadOnlyDictionary<string, int> ExtendedResources { get; init; } = new Dictionary<string, int>();

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A pod running <c>aiconformance probe</c> in the plugin image: it prints what each container sees and then stays up
/// for <see cref="HoldSeconds"/>, so that pods can be shown to run at the same time.
/// </summary>
public sealed record ProbePod
{
    public required string Name { get; init; }

    public required string Image { get; init; }

    public IReadOnlyList<ProbeContainer> Containers { get; init; } = [new ProbeContainer()];

    /// <summary>Pod-level resource claims: name to a template (<c>FromTemplate</c>) or an existing claim.</summary>
    public IReadOnlyList<V1PodResourceClaim> Claims { get; init; } = [];

    /// <summary>Pins the pod to one node through the scheduler (nodeName would skip it, and with it DRA allocation).</summary>
    public string? Node { get; init; }

    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<V1Toleration> Tolerations { get; init; } = [];

    public string? RuntimeClassName { get; init; }

    /// <summary>Host process and network namespaces: only for control pods that show what the host looks like.</summary>
    public bool HostNamespaces { get; init; }

    public int HoldSeconds { get; init; } = 600;

    /// <summary>Secrets for pulling <see cref="Image"/> from a private mirror (configuration <c>images.pullSecrets</c>).</summary>
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];

    /// <summary>
    /// Another program than the probe (a load such as a CUDA benchmark in its own image): its command line. Such an
    /// image may need root, so the pod then does not ask to run as non-root.
    /// </summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>A probe pod of the configured probe image, with the configured pull secrets.</summary>
    public static ProbePod Configured(string name, SuiteConfiguration configuration) => new()
    {
        Name = name,
        Image = DefaultImages.Probe(configuration),
        ImagePullSecrets = DefaultImages.PullSecrets(configuration),
    };

    public static V1PodResourceClaim FromTemplate(string claimName, string templateName) =>
        new() { Name = claimName, ResourceClaimTemplateName = templateName };

    public static V1PodResourceClaim FromClaim(string claimName, string resourceClaimName) =>
        new() { Name = claimName, ResourceClaimName = resourceClaimName };

    public V1Pod Build()
    {
        var selector = new Dictionary<string, string>(NodeSelector);
        if (Node is not null) selector["kubernetes.io/hostname"] = Node;
        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = Name, Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "aiconformance-probe" } },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                TerminationGracePeriodSeconds = 5,
                AutomountServiceAccountToken = false,
                // Meets the "restricted" Pod Security Standard, so namespaces that enforce it accept the probe.
                SecurityContext = new V1PodSecurityContext
                {
                    RunAsNonRoot = Command is null ? true : null,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                },
                NodeSelector = selector.Count == 0 ? null : selector,
                Tolerations = Tolerations.Count == 0 ? null : [.. Tolerations],
                RuntimeClassName = RuntimeClassName,
                HostPID = HostNamespaces ? true : null,
                HostNetwork = HostNamespaces ? true : null,
                ResourceClaims = Claims.Count == 0 ? null : [.. Claims],
                ImagePullSecrets = ImagePullSecrets.Count == 0 ? null : [.. ImagePullSecrets.Select(secret => new V1LocalObjectReference { Name = secret })],
                Containers = [.. Containers.Select(BuildContainer)],
            },
        };
    }

    private V1Container BuildContainer(ProbeContainer container)
    {
        var limits = container.ExtendedResources.ToDictionary(
            resource => resource.Key, resource => new ResourceQuantity(resource.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new V1Container
        {
            Name = container.Name,
            Image = Image,
            Command = Command is { } command ? [.. command] : ["aiconformance", WorkloadRoles.Probe, "--hold", HoldSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            Env = container.Environment.Count == 0 ? null : [.. container.Environment.Select(variable => new V1EnvVar { Name = variable.Key, Value = variable.Value })],
            Resources = limits.Count == 0 && container.Claims.Count == 0 ? null : new V1ResourceRequirements
            {
                Limits = limits.Count == 0 ? null : limits,
                Claims = container.Claims.Count == 0 ? null : [.. container.Claims.Select(claim => new Corev1ResourceClaim { Name = claim })],
            },
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
        };
    }
}
