using k8s;

namespace AiConformance.Plugin.Running;

/// <summary>Everything one conformance run needs; the CLI, the demo and the verification tests build one.</summary>
public sealed record RunRequest
{
    /// <summary>Kubeconfig file; null means <c>KUBECONFIG</c>, then <c>~/.kube/config</c>, then in-cluster.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>A ready client, used instead of any kubeconfig when given.</summary>
    public IKubernetes? Kubernetes { get; init; }

    /// <summary>Checklist version such as <c>v1.35</c>; null picks the cluster's minor version.</summary>
    public string? ChecklistVersion { get; init; }

    /// <summary>Where reports go; null means <c>./results/&lt;UTC timestamp&gt;</c>. Under Sonobuoy <c>$SONOBUOY_RESULTS_DIR</c> always wins.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Only requirements of these levels (MUST, SHOULD); empty means all.</summary>
    public IReadOnlyList<string> Levels { get; init; } = [];

    /// <summary>Only requirements of these checklist sections (e.g. accelerators); empty means all.</summary>
    public IReadOnlyList<string> Sections { get; init; } = [];

    /// <summary>Only these requirement ids; empty means all.</summary>
    public IReadOnlyList<string> Requirements { get; init; } = [];

    /// <summary>Requirement ids left out of the run.</summary>
    public IReadOnlyList<string> SkipRequirements { get; init; } = [];

    /// <summary>The user's YAML configuration file.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>Configuration keys used when neither the file nor the environment sets them (a simulated scenario's).</summary>
    public IReadOnlyDictionary<string, string>? ConfigurationDefaults { get; init; }

    /// <summary>Global deadline of the run; when it passes the run stops as on SIGTERM.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How long running tests get to clean up after a stop; null means <c>run.cleanupGraceSeconds</c> or 20 s.</summary>
    public TimeSpan? CleanupGrace { get; init; }

    /// <summary>The most tests run side by side; 1 runs them one at a time; null means <c>run.parallel</c> or one per schedulable node.</summary>
    public int? Parallel { get; init; }

    /// <summary>True when the cluster is the embedded simulation: every output then says SIMULATED.</summary>
    public bool Simulated { get; init; }

    /// <summary>Name of the simulated scenario, shown wherever SIMULATED is.</summary>
    public string? SimulationName { get; init; }

    /// <summary>Test assembly to run instead of AiConformance.Suite (the plugin's own tests use this).</summary>
    public string? SuiteAssemblyPath { get; init; }

    /// <summary>Environment variables read instead of the process environment (Sonobuoy variables, configuration overrides).</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>Where progress lines, the summary table and errors are printed; null means the console.</summary>
    public TextWriter? Output { get; init; }

    /// <summary>Where the one-line error of a run that cannot start is printed; null means standard error.</summary>
    public TextWriter? ErrorOutput { get; init; }
}
