using AiConformance.Checklist;
using k8s;

namespace AiConformance.Suite.Framework;

/// <summary>
/// What every fixture is given by the runner: the cluster, the run's identity, the checklist version, the user's
/// configuration and the run's cancellation. The in-process runner sets <see cref="Current"/> before it starts;
/// under `dotnet test` it is built from the environment on first use.
/// </summary>
public sealed class RunContext
{
    private static RunContext? current;

    public required IKubernetes Kubernetes { get; init; }

    /// <summary>Short id of this run; every object the suite creates carries it in the <see cref="RunLabel"/> label.</summary>
    public required string RunId { get; init; }

    public required ChecklistVersion Checklist { get; init; }

    public required SuiteConfiguration Configuration { get; init; }

    /// <summary>Cancelled on the global deadline or on SIGTERM/SIGINT.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Nodes a running test needs the others to stay off (see <see cref="NodesKeptFree"/>).</summary>
    public NodesKeptFree NodesKeptFree { get; } = new();

    /// <summary>
    /// Set by a runner that runs tests side by side: takes a running test's id and what it holds from now on. Null
    /// where tests run one at a time, which <see cref="GiveBackHoldings"/> then leaves as it is.
    /// </summary>
    public Action<string, IReadOnlyList<Holding>>? HoldingsGivenBack { get; set; }

    /// <summary>
    /// Tells the runner that the running test now holds only <paramref name="kept"/> (less than it declared: a phase
    /// that needed the whole cluster is over), so tests that conflicted only with what it gives back may start.
    /// </summary>
    public void GiveBackHoldings(params Holding[] kept) => HoldingsGivenBack?.Invoke(NUnit.Framework.TestContext.CurrentContext.Test.ID, kept);

    /// <summary>Label key set on every object the suite creates, valued with the run id.</summary>
    public const string RunLabel = "ai-conformance.cncf.io/run";

    public static RunContext Current
    {
        get => current ??= RunContextFromEnvironment.Build();
        set => current = value;
    }

    /// <summary>A new short lowercase run id, usable in object names and label values.</summary>
    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];

    /// <summary>Whether a context was set or built; lets the runner reset between runs in one process.</summary>
    public static void Reset() => current = null;
}
