using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// The capacity a gang test owns on a PodGroup scheduler when its members hold accelerators: one free unit per member
/// on one node (see <see cref="GangAccelerator"/>), and the scheduler's test-owned queue where it has queues.
/// </summary>
public sealed class AcceleratorNodeCapacity(GangAccelerator accelerator, IGangCapacity? queue) : IGangCapacity
{
    public string Kind => queue is null ? accelerator.Describe() : $"{accelerator.Describe()}; and the {queue.Kind}";

    public string MemberCpu => queue?.MemberCpu ?? GangMembers.MemberCpu;

    public string? QueueName => queue?.QueueName;

    public GangAccelerator? Accelerator => accelerator;

    public async Task ProvideAsync(int members)
    {
        if (queue is not null) await queue.ProvideAsync(members);
        await accelerator.PrepareAsync();
    }

    public void Place(V1Pod member) => queue?.Place(member);

    public async Task<(bool InUse, string Described)> UsageAsync()
    {
        var units = await accelerator.UsageAsync();
        if (queue is null) return units;
        var queued = await queue.UsageAsync();
        return (units.InUse && queued.InUse, $"{units.Described}; {queued.Described}");
    }

    public async Task WaitReleasedAsync()
    {
        if (queue is not null) await queue.WaitReleasedAsync();
        await accelerator.WaitReleasedAsync();
    }

    public async Task<string?> MovedAsync() => await accelerator.MovedAsync() ?? (queue is null ? null : await queue.MovedAsync());
}
