using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>What a broken operator installation does differently from a working one.</summary>
public interface IOperatorFault
{
    /// <summary>Whether the installation registers its ValidatingWebhookConfiguration.</summary>
    bool RegistersWebhook => true;

    /// <summary>Whether the controller acts on the custom resources it watches.</summary>
    bool Reconciles => true;

    /// <summary>Whether the Service it creates for a custom resource carries an owner reference to it.</summary>
    bool OwnsServices => true;
}

/// <summary>The operator's faults, by the name a scenario's <c>fault:</c> option gives.</summary>
public static class OperatorFaults
{
    public static readonly FaultCatalog<IOperatorFault> Catalog = new("an operator fault", new Dictionary<string, Func<IOperatorFault>>
    {
        ["no-webhook"] = () => new NoWebhook(),
        ["never-reconciles"] = () => new NeverReconciles(),
        ["service-left-behind"] = () => new ServiceLeftBehind(),
    });
}

/// <summary>Installed without its webhooks (a Helm install with <c>webhook.enabled=false</c>): nothing validates the resources.</summary>
public sealed class NoWebhook : IOperatorFault
{
    public bool RegistersWebhook => false;
}

/// <summary>The controller runs but watches another namespace only (<c>--watch-namespace</c>): resources elsewhere are never reconciled.</summary>
public sealed class NeverReconciles : IOperatorFault
{
    public bool Reconciles => false;
}

/// <summary>The head Service is created without an owner reference, so the garbage collector leaves it behind when its RayCluster goes.</summary>
public sealed class ServiceLeftBehind : IOperatorFault
{
    public bool OwnsServices => false;
}
