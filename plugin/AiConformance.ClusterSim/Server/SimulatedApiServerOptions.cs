using AiConformance.ClusterSim.Api;

namespace AiConformance.ClusterSim.Server;

/// <summary>How to start a <see cref="SimulatedApiServer"/>.</summary>
public sealed record SimulatedApiServerOptions
{
    /// <summary>"v1.34", "v1.35" or "v1.36": picks the published OpenAPI document and the served APIs.</summary>
    public string KubernetesVersion { get; init; } = "v1.35";

    /// <summary>Non-GA group versions to serve besides the defaults, e.g. "scheduling.k8s.io/v1alpha1", "resource.k8s.io/v1beta2".</summary>
    public IReadOnlyList<string> EnabledAlphaGroupVersions { get; init; } = [];

    /// <summary>Files of CustomResourceDefinition manifests (YAML, multi-document) installed at start.</summary>
    public IReadOnlyList<string> CrdManifestPaths { get; init; } = [];

    /// <summary>Embedded CRD folders (see <see cref="EmbeddedCrds.Folders"/>) installed at start, e.g. "kueue-v0.19.2".</summary>
    public IReadOnlyList<string> EmbeddedCrdFolders { get; init; } = [];

    /// <summary>CustomResourceDefinition manifests given as text, installed at start.</summary>
    public IReadOnlyList<string> CrdManifests { get; init; } = [];

    /// <summary>The plugin's RBAC manifest; null uses the copy of <c>sonobuoy/ai-conformance-rbac.yaml</c> embedded at build time.</summary>
    public string? RbacManifestPath { get; init; }

    /// <summary>The ServiceAccount (namespace/name) the plugin identity is; its token is authorized by RBAC.</summary>
    public string PluginServiceAccount { get; init; } = "sonobuoy/ai-conformance";

    public ApiFaults Faults { get; init; } = new();

    public PodLogProvider? LogProvider { get; init; }

    /// <summary>How many committed changes are kept for watch resumption; older resourceVersions get 410 Expired.</summary>
    public int WatchHistoryLimit { get; init; } = 2_000;

    /// <summary>How often an idle watch with allowWatchBookmarks gets a BOOKMARK (the watch cache: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Faults injected into API requests of the plugin identity (the admin identity is never faulted), so that retries and
/// watch resumption are exercised. Scenario files set them under <c>faults:</c> with these names.
/// </summary>
public sealed record ApiFaults
{
    /// <summary>Fraction (0..1) of resource requests answered with <see cref="ErrorCode"/>.</summary>
    public double ApiErrorRate { get; init; }

    /// <summary>500 InternalError, 429 TooManyRequests (with Retry-After), 503 ServiceUnavailable or 504 Timeout.</summary>
    public int ErrorCode { get; init; } = 500;

    /// <summary>Several of those, each error drawn among them (a server both throttling and overloaded); replaces <see cref="ErrorCode"/>.</summary>
    public List<int>? ErrorCodes { get; init; }

    /// <summary>The codes errors are drawn from.</summary>
    public IReadOnlyList<int> Codes => ErrorCodes is { Count: > 0 } codes ? codes : [ErrorCode];

    /// <summary>Added to every resource request.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>A watch is closed by the server after this many events (the client must re-watch).</summary>
    public int? DropWatchesAfterEvents { get; init; }

    /// <summary>
    /// Fraction (0..1) of watch and log responses cut at a random point of their body, as a load balancer or a
    /// restarting API server does: HTTP/1.1 loses the connection in the middle of a chunk, HTTP/2 gets the stream reset.
    /// </summary>
    public double CutStreamRate { get; init; }

    /// <summary>Longest time one watch event is held back; each waits a random time up to it, in order.</summary>
    public TimeSpan MaxEventDelay { get; init; }

    /// <summary>Seed for the error draw, so a faulty run can be repeated.</summary>
    public int Seed { get; init; } = 1;
}
