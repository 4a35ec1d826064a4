using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// The capacity a gang test owns on a PodGroup scheduler: room for exactly the members the test allows, so whether a
/// group fits is decided by the test and not by the size or load of the cluster.
/// </summary>
public interface IGangCapacity
{
    /// <summary>What the capacity is, for the evidence.</summary>
    string Kind { get; }

    /// <summary>The CPU each member requests (known once <see cref="ProvideAsync"/> ran).</summary>
    string MemberCpu { get; }

    /// <summary>The test-owned queue members are submitted to; null when the backend has no queues.</summary>
    string? QueueName { get; }

    /// <summary>The accelerator each member holds a unit of; null when members hold CPU only.</summary>
    GangAccelerator? Accelerator => null;

    /// <summary>Creates the capacity for exactly <paramref name="members"/> members and waits until it can be used.</summary>
    Task ProvideAsync(int members);

    /// <summary>Confines a member to the capacity (a node selector, nothing for a queue).</summary>
    void Place(V1Pod member);

    /// <summary>Whether any of the capacity is in use, and its description.</summary>
    Task<(bool InUse, string Described)> UsageAsync();

    /// <summary>Waits until nothing of the capacity is in use; fails at the deadline.</summary>
    Task WaitReleasedAsync();

    /// <summary>Why the capacity is no longer what the test sized the group to; null while it is (see <see cref="IGangDriver.CapacityMovedAsync"/>).</summary>
    Task<string?> MovedAsync() => Task.FromResult<string?>(null);
}
