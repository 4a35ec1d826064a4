using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>
/// How the fixture exercises one operator's custom resource: submits a valid instance and an invalid one (valid by
/// the CRD's schema, invalid by the operator's own rules, which only its webhook enforces), and tells from the
/// resource's status whether the operator reports the workloads it created as ready.
/// </summary>
public interface IOperatorDriver
{
    /// <summary>The kind it creates, for evidence and messages (<c>RayCluster</c>).</summary>
    string Kind { get; }

    /// <summary>Pods the valid instance's operator creates for it.</summary>
    int ExpectedPods { get; }

    /// <summary>The label selector of everything the operator creates for an instance, owned or not (what must be gone after its deletion).</summary>
    string CreatedFor(string name);

    /// <summary>Creates a valid instance in the namespace; returns its uid.</summary>
    Task<string> CreateValidAsync(TestNamespace ns, string name);

    /// <summary>Creates an invalid instance (the operator's webhook must deny it); one that is admitted is returned for cleanup.</summary>
    Task CreateInvalidAsync(TestNamespace ns, string name);

    /// <summary>What the invalid instance breaks, for the evidence.</summary>
    string WhatIsInvalid { get; }

    /// <summary>Waits until the instance's status says its workloads are ready and names the pods it owns; returns the status described.</summary>
    Task<string> WaitReadyAsync(TestNamespace ns, string name, IReadOnlyList<V1Pod> owned);

    Task<bool> ExistsAsync(TestNamespace ns, string name);

    /// <summary>
    /// The operator's own intermediate objects in the namespace (a TrainJob's JobSet), read to follow controller
    /// references from the pods up to the instance where <see cref="Ownership"/>'s built-in kinds do not reach.
    /// </summary>
    Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> IntermediatesAsync(TestNamespace ns) => Task.FromResult<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>>([]);

    Task DeleteAsync(TestNamespace ns, string name);
}
