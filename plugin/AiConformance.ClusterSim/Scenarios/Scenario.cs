using AiConformance.ClusterSim.Server;

namespace AiConformance.ClusterSim.Scenarios;

/// <summary>
/// A simulated cluster as a scenario file describes it (schema: docs/scenarios.md). Every collection is mutable so
/// that a scenario which <see cref="Extends"/> another can be overlaid on its base.
/// </summary>
public sealed class Scenario
{
    /// <summary>Name the scenario is known by (<c>reference</c>, <c>broken/dra_support-no-driver</c>, or the file name).</summary>
    public string Name { get; set; } = "";

    public string? Description { get; set; }

    /// <summary>Another scenario this one starts from; its own sections replace or merge into the base's.</summary>
    public string? Extends { get; set; }

    /// <summary>For broken scenarios: the requirement id whose capability is missing or wrong.</summary>
    public string? Breaks { get; set; }

    /// <summary>
    /// For broken scenarios: requirements whose tests depend on the broken capability (no DRA driver leaves no
    /// accelerator to share), so their outcome may change too. Every requirement not listed must keep its reference outcome.
    /// </summary>
    public List<string>? AlsoAffects { get; set; }

    /// <summary>
    /// For healthy variants: requirements whose outcome the variant legitimately changes, by requirement id, with the
    /// status it must come out as (one of <see cref="ExpectedStatuses"/>), e.g. a cluster of one physical GPU cannot
    /// show isolation between two: <c>secure_accelerator_access: NeedsAttestation</c>. Not inherited by overlays.
    /// </summary>
    public Dictionary<string, string>? Expect { get; set; }

    /// <summary>The statuses <see cref="Expect"/> may name (the runner's requirement statuses, by name).</summary>
    public static readonly IReadOnlyList<string> ExpectedStatuses =
        ["Implemented", "PartiallyImplemented", "NotImplemented", "NotApplicable", "NeedsAttestation"];

    /// <summary><c>v1.34</c>, <c>v1.35</c> or <c>v1.36</c>: decides discovery, OpenAPI and the nodes' kubelet version.</summary>
    public string? KubernetesVersion { get; set; }

    public List<NodeGroup>? Nodes { get; set; }

    /// <summary>Cluster behaviours by name, each with its options; <c>enabled: false</c> removes one.</summary>
    public Dictionary<string, ComponentOptions>? Components { get; set; }

    public Latencies? Latencies { get; set; }

    public ApiFaults? Faults { get; set; }

    /// <summary>How containers of images that are not the plugin's own behave.</summary>
    public List<ProgramRule>? Programs { get; set; }

    /// <summary>RuntimeClass name to the simulated container runtime that runs its pods.</summary>
    public Dictionary<string, RuntimeClassSpec>? RuntimeClasses { get; set; }

    /// <summary>Custom resource definition manifests to install at start (embedded data paths or files).</summary>
    public List<string>? Crds { get; set; }

    /// <summary>API groups/versions served besides a default cluster's (e.g. alpha ones).</summary>
    public List<string>? EnabledApis { get; set; }

    /// <summary>
    /// Suite configuration keys this cluster is run with unless the user sets them (e.g. a short
    /// <c>gang.observationWindow</c>: the simulated cluster decides at once, so a short watch proves as much).
    /// </summary>
    public Dictionary<string, string>? SuiteConfiguration { get; set; }
}

/// <summary><see cref="Count"/> identical nodes named <c>name-0..n</c> (or <c>name</c> when the count is 1).</summary>
public sealed class NodeGroup
{
    public string Name { get; set; } = "";
    public int Count { get; set; } = 1;
    public bool ControlPlane { get; set; }
    public Dictionary<string, string>? Labels { get; set; }
    public List<TaintSpec>? Taints { get; set; }
    public Dictionary<string, string>? Capacity { get; set; }
    public string KernelVersion { get; set; } = "6.8.0-1021-aws";
    public string OsImage { get; set; } = "Ubuntu 24.04.2 LTS";
    public string ContainerRuntime { get; set; } = "containerd://2.1.4";
    public string Architecture { get; set; } = "amd64";
    public List<AcceleratorSpec>? Accelerators { get; set; }

    /// <summary>
    /// A node group a cluster autoscaler may grow: up to this many nodes (<see cref="Count"/> is its minimum size).
    /// Null: a fixed group no autoscaler touches.
    /// </summary>
    public int? MaxCount { get; set; }
}

public sealed class TaintSpec
{
    public string Key { get; set; } = "";
    public string? Value { get; set; }
    public string Effect { get; set; } = "NoSchedule";
}

/// <summary>Accelerators installed in each node of a group and how they are exposed to pods.</summary>
public sealed class AcceleratorSpec
{
    /// <summary><c>nvidia</c> (driver gpu.nvidia.com, resource nvidia.com/gpu) or <c>example</c> (gpu.example.com).</summary>
    public string Vendor { get; set; } = "nvidia";

    public string? Model { get; set; }

    public int Count { get; set; } = 1;

    /// <summary><c>dra</c> (ResourceSlices) or <c>devicePlugin</c> (extended resource on the node).</summary>
    public string Via { get; set; } = "dra";

    /// <summary>Device memory, as a quantity (<c>80Gi</c>).</summary>
    public string? Memory { get; set; }
}

public sealed class ComponentOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Free-form settings the component documents; values are strings as in a ConfigMap.</summary>
    public Dictionary<string, string>? Options { get; set; }

    public string? Get(string key) => Options is not null && Options.TryGetValue(key, out var value) ? value : null;
}

/// <summary>How long the cluster takes to do things. Defaults are small so tests run fast.</summary>
public sealed class Latencies
{
    /// <summary>From binding to containers running (image pull, sandbox, start).</summary>
    public TimeSpan PodStart { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>From a pending pod being seen to being bound (scheduling, claim allocation).</summary>
    public TimeSpan Scheduling { get; set; } = TimeSpan.Zero;

    /// <summary>Reaction time of the controllers (Job, ReplicaSet, Deployment, EndpointSlice, claims).</summary>
    public TimeSpan Controller { get; set; } = TimeSpan.Zero;

    /// <summary>From a container exiting to its restart (first back-off step).</summary>
    public TimeSpan RestartBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>From a graceful pod deletion to the pod being gone.</summary>
    public TimeSpan PodTermination { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Time a modelled program runs before it exits, when its rule does not say.</summary>
    public TimeSpan ProgramRun { get; set; } = TimeSpan.FromMilliseconds(10);
}

/// <summary>
/// One modelled program: a container whose image matches <see cref="Image"/> (glob) and whose command line contains
/// <see cref="Command"/> prints <see cref="Output"/> and exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class ProgramRule
{
    public string Image { get; set; } = "*";
    public string? Command { get; set; }
    public string Output { get; set; } = "";
    public int ExitCode { get; set; }

    /// <summary>How long it runs; null: until the pod is deleted (a server).</summary>
    public TimeSpan? RunsFor { get; set; } = TimeSpan.Zero;

    /// <summary><c>gpu</c>: the output above only when an accelerator is visible in the container, else <see cref="Otherwise"/>.</summary>
    public string? Requires { get; set; }

    public ProgramOutcome? Otherwise { get; set; }

    /// <summary>HTTP answers the program gives on its pod's ports while it runs (a modelled exporter, a controller's endpoint).</summary>
    public List<HttpAnswer>? Serves { get; set; }

    /// <summary>Percent (0-100) of its devices' compute the program keeps busy while it runs (a load such as a CUDA benchmark); what exporters report as utilization.</summary>
    public int? GpuUtilization { get; set; }
}

/// <summary>What a modelled program answers to HTTP requests on one port (and path, when given).</summary>
public sealed class HttpAnswer
{
    public int Port { get; set; }

    /// <summary>Only this path (<c>/metrics</c>); null: every path of the port.</summary>
    public string? Path { get; set; }

    public int Status { get; set; } = 200;

    /// <summary>Response headers; Content-Type defaults to <c>text/plain; charset=utf-8</c>.</summary>
    public Dictionary<string, string>? Headers { get; set; }

    public string Body { get; set; } = "";
}

public sealed class ProgramOutcome
{
    public string Output { get; set; } = "";
    public int ExitCode { get; set; } = 1;
}

public sealed class RuntimeClassSpec
{
    /// <summary>The simulated container runtime (<c>runc</c> by default); others are registered by name.</summary>
    public string Runtime { get; set; } = "runc";

    public string? Handler { get; set; }

    public Dictionary<string, string>? Options { get; set; }
}
