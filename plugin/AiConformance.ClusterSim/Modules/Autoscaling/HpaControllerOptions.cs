using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// The options of the <c>horizontal-pod-autoscaler</c> component: <c>syncPeriod</c> (the controller's
/// <c>--horizontal-pod-autoscaler-sync-period</c>, 15s by default) and <c>fault</c> (<c>ignores-accelerator-pods</c>).
/// </summary>
public sealed record HpaControllerOptions : IComponentOptions<HpaControllerOptions>
{
    public TimeSpan SyncPeriod { get; init; } = TimeSpan.FromSeconds(15);

    public IgnoresAcceleratorPodsFault? Fault { get; init; }

    private static readonly FaultCatalog<IgnoresAcceleratorPodsFault> Faults = new("a horizontal-pod-autoscaler fault",
        new Dictionary<string, Func<IgnoresAcceleratorPodsFault>> { [IgnoresAcceleratorPodsFault.Name] = () => new IgnoresAcceleratorPodsFault() });

    public static HpaControllerOptions Read(ComponentOptionReader options) => new()
    {
        SyncPeriod = options.Duration("syncPeriod", TimeSpan.FromSeconds(15), aboveZero: true),
        Fault = options.OptionalFault(Faults),
    };
}

/// <summary>
/// Fault: the controller computes its recommendation but never rescales a workload whose pods request accelerators
/// (DRA claims or an extended accelerator resource), so accelerator serving never scales.
/// </summary>
public sealed class IgnoresAcceleratorPodsFault
{
    public const string Name = "ignores-accelerator-pods";

    public bool Refuses(JsonObject deployment) => AcceleratorRequests.In(deployment["spec"]?["template"]?["spec"] as JsonObject);
}
