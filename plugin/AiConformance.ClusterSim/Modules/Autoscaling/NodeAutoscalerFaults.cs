using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Autoscaling;

/// <summary>
/// What a node autoscaler gets wrong in a broken scenario (option <c>fault</c>); <see cref="None"/> is a working one.
/// Each fault logs what it does once, as information: it is the scenario doing its job, not a simulation problem.
/// </summary>
public abstract class NodeAutoscalerFault
{
    public static readonly NodeAutoscalerFault None = new NoFault();

    public static readonly FaultCatalog<NodeAutoscalerFault> Catalog = new("a node autoscaler fault", new NodeAutoscalerFault[]
        {
            new IgnoresAcceleratorPods(), new AddsNodeWithoutAccelerator(), new NeverScalesDown(),
        }.ToDictionary(fault => fault.Name, fault => (Func<NodeAutoscalerFault>)(() => fault), StringComparer.Ordinal));

    public abstract string Name { get; }

    /// <summary>Whether the autoscaler leaves this unschedulable pod out of its scale-up plan.</summary>
    public virtual bool Ignores(JsonObject pod) => false;

    /// <summary>Whether the nodes it adds come with their group's accelerators.</summary>
    public virtual bool ProvisionsAccelerators => true;

    /// <summary>Whether it removes nodes that stayed unneeded.</summary>
    public virtual bool ScalesDown => true;

    private sealed class NoFault : NodeAutoscalerFault
    {
        public override string Name => "none";
    }

    /// <summary>Pods asking for accelerators never trigger a scale-up (as when the groups' templates do not declare their accelerators).</summary>
    public sealed class IgnoresAcceleratorPods : NodeAutoscalerFault
    {
        public override string Name => "ignores-accelerator-pods";

        public override bool Ignores(JsonObject pod) => AcceleratorRequests.In(pod["spec"] as JsonObject);
    }

    /// <summary>The group grows, but the node that joins has none of the group's accelerators (wrong instance type, no driver).</summary>
    public sealed class AddsNodeWithoutAccelerator : NodeAutoscalerFault
    {
        public override string Name => "adds-node-without-accelerator";

        public override bool ProvisionsAccelerators => false;
    }

    /// <summary>Nodes it added stay forever, idle or not.</summary>
    public sealed class NeverScalesDown : NodeAutoscalerFault
    {
        public override string Name => "never-scales-down";

        public override bool ScalesDown => false;
    }
}
