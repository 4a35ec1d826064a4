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

    /// <summary>Whether the workloads it creates for a custom resource's pods carry an owner reference to their owner.</summary>
    bool OwnsWorkloads => true;

    /// <summary>Whether its status reports the custom resource ready once every pod is.</summary>
    bool ReportsReady => true;

    /// <summary>Whether its webhook denies a resource that names another object (a TrainJob's runtime) which does not exist.</summary>
    bool ChecksReferences => true;

    /// <summary>Whether its webhook denies a resource asking for more replicas of a role than the operator allows (a PyTorchJob's second Master).</summary>
    bool ChecksReplicaCounts => true;

    /// <summary>Whether its validator checks the resources it is called for at all.</summary>
    bool Validates => true;
}

/// <summary>The operators' faults, by the name a scenario's <c>fault:</c> option gives.</summary>
public static class OperatorFaults
{
    public static readonly IOperatorFault Working = new WorkingOperator();

    /// <summary>The faults every operator component has.</summary>
    public static readonly FaultCatalog<IOperatorFault> Catalog = new("an operator fault", Shared());

    /// <summary>The LeaderWorkerSet operator's: the shared ones and one of the StatefulSets it creates.</summary>
    public static readonly FaultCatalog<IOperatorFault> LeaderWorkerSetCatalog = new("an operator fault",
        new Dictionary<string, Func<IOperatorFault>>(Shared()) { ["workers-left-behind"] = () => new WorkersLeftBehind() });

    /// <summary>Kubeflow Trainer's: the shared ones and a TrainJob validator that does not look its runtime up.</summary>
    public static readonly FaultCatalog<IOperatorFault> TrainerCatalog = new("an operator fault",
        new Dictionary<string, Func<IOperatorFault>>(Shared()) { ["runtime-unchecked"] = () => new RuntimeUnchecked() });

    /// <summary>The Kubeflow training-operator's: the shared ones and a PyTorchJob validator that does not count the masters.</summary>
    public static readonly FaultCatalog<IOperatorFault> TrainingOperatorCatalog = new("an operator fault",
        new Dictionary<string, Func<IOperatorFault>>(Shared()) { ["master-unchecked"] = () => new MasterUnchecked() });

    /// <summary>KServe's: the shared ones and an InferenceService validator that admits everything.</summary>
    public static readonly FaultCatalog<IOperatorFault> KServeCatalog = new("an operator fault",
        new Dictionary<string, Func<IOperatorFault>>(Shared()) { ["validator-admits-all"] = () => new ValidatorAdmitsAll() });

    private static Dictionary<string, Func<IOperatorFault>> Shared() => new()
    {
        ["no-webhook"] = () => new NoWebhook(),
        ["never-reconciles"] = () => new NeverReconciles(),
        ["service-left-behind"] = () => new ServiceLeftBehind(),
        ["never-ready"] = () => new NeverReady(),
    };

    private sealed class WorkingOperator : IOperatorFault;
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

/// <summary>The Service it creates for a resource has no owner reference, so the garbage collector leaves it behind when the resource goes.</summary>
public sealed class ServiceLeftBehind : IOperatorFault
{
    public bool OwnsServices => false;
}

/// <summary>The controller creates the pods but its status never says they are ready (a status writer that fails on every update).</summary>
public sealed class NeverReady : IOperatorFault
{
    public bool ReportsReady => false;
}

/// <summary>
/// A LeaderWorkerSet's worker StatefulSets are created without their owner reference to the group's leader pod: the
/// garbage collector leaves them, and their worker pods, behind when the LeaderWorkerSet goes.
/// </summary>
public sealed class WorkersLeftBehind : IOperatorFault
{
    public bool OwnsWorkloads => false;
}

/// <summary>
/// The TrainJob validator admits a TrainJob whose runtimeRef names a TrainingRuntime that does not exist (a validator
/// that skips the runtime lookup): the TrainJob is stored, and the controller can never build it.
/// </summary>
public sealed class RuntimeUnchecked : IOperatorFault
{
    public bool ChecksReferences => false;
}

/// <summary>
/// The PyTorchJob validator admits a PyTorchJob of more than one Master (a validator without the replica rule): the
/// job is stored, and the controller runs several rank-0 masters that each expect to lead the rendezvous.
/// </summary>
public sealed class MasterUnchecked : IOperatorFault
{
    public bool ChecksReplicaCounts => false;
}

/// <summary>
/// The webhook is registered and called, but its validator admits every resource (a build whose validator returns no
/// error): an InferenceService that breaks KServe's rules is stored.
/// </summary>
public sealed class ValidatorAdmitsAll : IOperatorFault
{
    public bool Validates => false;
}
