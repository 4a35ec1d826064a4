using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// The accelerator a group's members each hold one unit of (the AI case of gang scheduling), when the cluster has one
/// the test can hold: the accelerator the suite detects (a ResourceClaimTemplate of its DeviceClass for DRA, else the
/// device plugin's extended resource) and at least one free unit per member, counted from allocations and pod
/// requests. Either a quota resource the backend counts the units as limits the group (Kueue), or the group is pinned
/// to one node where the test leaves exactly one free unit per member, holding the node's other free units with a pod
/// of its own (PodGroup schedulers, which place by what nodes have free). Otherwise the test uses CPU, and the
/// evidence says why.
/// </summary>
public sealed class GangAccelerator
{
    public const string TemplateName = "gang-member-accelerator";

    /// <summary>The test's pod (and, for DRA, claim) that holds the units of the node the group may not use.</summary>
    public const string FillerName = "gang-filler";

    private readonly TestNamespace ns;
    private readonly int members;
    private readonly FreeAcceleratorUnits atSizing;
    private readonly HashSet<string> accounted = new(StringComparer.Ordinal);
    private double heldSeconds;

    private GangAccelerator(TestNamespace ns, DetectedAccelerator accelerator, string? quotaResource, string? node, int members, FreeAcceleratorUnits atSizing) =>
        (this.ns, Accelerator, QuotaResource, Node, this.members, this.atSizing) = (ns, accelerator, quotaResource, node, members, atSizing);

    public DetectedAccelerator Accelerator { get; }

    /// <summary>The resource the backend's quota counts one unit per member as; null for a group pinned to <see cref="Node"/>.</summary>
    public string? QuotaResource { get; }

    /// <summary>The node members are pinned to, where exactly one unit per member is left free; null for a quota-limited group.</summary>
    public string? Node { get; }

    /// <summary>The free units of <see cref="Node"/> the test holds itself, beyond those of the members.</summary>
    private int Surplus => Node is null ? 0 : atSizing.On(Node) - members;

    public string Describe() => Node is null
        ? $"one unit per member of {Accelerator.Summary}, counted as quota resource `{QuotaResource}`"
        : $"one unit per member of {Accelerator.Summary}, members pinned to node {Node}, where the test leaves exactly {members} units free " +
          $"({Surplus} more held by its pod `{FillerName}`)";

    /// <summary>
    /// The accelerator the group uses, or why it uses CPU. <paramref name="quotaResourceOf"/> says what the backend
    /// counts the accelerator's units as, or why it cannot count them.
    /// </summary>
    public static async Task<(GangAccelerator? Accelerator, string? WhyCpu)> ChooseAsync(TestNamespace ns, int members,
        Func<DetectedAccelerator, Task<(string? Resource, string? Why)>> quotaResourceOf)
    {
        var detection = await AcceleratorDetection.DetectAsync(ns.Run);
        if (detection.Found.FirstOrDefault() is not { } accelerator) return (null, $"no accelerator found ({detection.Searched})");
        var (resource, why) = await quotaResourceOf(accelerator);
        var free = await FreeAcceleratorUnits.CountAsync(ns, accelerator);
        Evidence.Observed("accelerator units", free.Described);
        return WhyCpu(free, members, resource, why) is { } reason ? (null, reason) : (new GangAccelerator(ns, accelerator, resource!, null, members, free), null);
    }

    /// <summary>
    /// The accelerator a group placed by node capacity uses, on the node with the fewest free units that still holds
    /// the whole group (so the test holds as few units as it can), or why it uses CPU.
    /// </summary>
    public static async Task<(GangAccelerator? Accelerator, string? WhyCpu)> ChooseOnOneNodeAsync(TestNamespace ns, int members)
    {
        var detection = await AcceleratorDetection.DetectAsync(ns.Run);
        if (detection.Found.FirstOrDefault() is not { } accelerator) return (null, $"no accelerator found ({detection.Searched})");
        var free = await FreeAcceleratorUnits.CountAsync(ns, accelerator);
        Evidence.Observed("accelerator units", free.Described);
        var node = NodeFor(free, members);
        return node is null
            ? (null, $"no node has {members} free units of {accelerator.Summary} for the whole group ({free.Described})")
            : (new GangAccelerator(ns, accelerator, null, node, members, free), null);
    }

    /// <summary>The node with the fewest free units that still holds <paramref name="members"/>; null for none.</summary>
    public static string? NodeFor(FreeAcceleratorUnits free, int members) =>
        free.ByNode.Where(node => node.Value >= members && !node.Key.StartsWith('('))
            .OrderBy(node => node.Value).ThenBy(node => node.Key, StringComparer.Ordinal).Select(node => node.Key).FirstOrDefault();

    /// <summary>Why a group of <paramref name="members"/> cannot hold one accelerator unit each; null when it can.</summary>
    public static string? WhyCpu(FreeAcceleratorUnits free, int members, string? quotaResource, string? whyNoQuotaResource) =>
        quotaResource is null ? whyNoQuotaResource ?? "the gang scheduler cannot count accelerator units"
        : free.Units < members ? $"only {free.Units} of {free.Total} accelerator units are free, fewer than the {members} the whole group needs to run at once"
        : null;

    /// <summary>
    /// Creates what members refer to for their unit (the DRA ResourceClaimTemplate) and, for a group pinned to a node,
    /// the pod that holds the node's units beyond one per member, once it runs.
    /// </summary>
    public async Task PrepareAsync()
    {
        if (Accelerator.Path == AcceleratorPath.Dra)
        {
            Evidence.Step($"Create ResourceClaimTemplate `{TemplateName}`: one device of DeviceClass {Accelerator.DeviceClass} per member");
            await ns.CreateAsync(Claims.Template(TemplateName, Accelerator.DeviceClass!));
        }
        if (Surplus == 0) return;
        Evidence.Step($"Hold the other {Surplus} free units of node {Node} with pod `{FillerName}`, so that exactly {members} are free there");
        var filler = Placed(ProbePod.Configured(FillerName, ns.Run.Configuration));
        if (Accelerator.Path == AcceleratorPath.Dra)
        {
            await ns.CreateAsync(Claims.Claim(FillerName, Accelerator.DeviceClass!, count: Surplus));
            filler = filler with { Claims = [ProbePod.FromClaim(Claims.RequestName, FillerName)], Containers = [new ProbeContainer { Claims = [Claims.RequestName] }] };
        }
        else
        {
            filler = filler with { Containers = [new ProbeContainer { ExtendedResources = new Dictionary<string, int> { [Accelerator.ExtendedResource!] = Surplus } }] };
        }
        await ns.CreateAsync(filler.Build());
        await ns.WaitForRunningAsync(FillerName);
    }

    /// <summary>A member that asks for one unit, placed where the accelerator is (on <see cref="Node"/> where there is one).</summary>
    public ProbePod Equip(ProbePod member) => Placed(member) switch
    {
        var placed when Accelerator.Path == AcceleratorPath.Dra => placed with
        {
            Claims = [ProbePod.FromTemplate(Claims.RequestName, TemplateName)],
            Containers = [new ProbeContainer { Claims = [Claims.RequestName] }],
        },
        var placed => placed with { Containers = [new ProbeContainer { ExtendedResources = new Dictionary<string, int> { [Accelerator.ExtendedResource!] = 1 } }] },
    };

    private ProbePod Placed(ProbePod pod) => pod with { NodeSelector = Accelerator.NodeSelector, Tolerations = Accelerator.Tolerations, Node = Node };

    /// <summary>Whether the group's members hold units now (their claims allocated, or their pods bound with a unit), and how many.</summary>
    public async Task<(bool InUse, string Described)> UsageAsync()
    {
        if (Accelerator.Path == AcceleratorPath.Dra)
        {
            var claims = (await ns.Objects<Resourcev1ResourceClaim>().ListAsync(null, null, ns.Cancellation)).Items.Where(IsMembers).ToList();
            var allocated = claims.Count(claim => claim.IsAllocated());
            return (allocated > 0, $"{allocated} claims of the members allocated: {Claims.Describe(claims)}");
        }
        var pods = (await ns.Objects<V1Pod>().ListAsync(null, null, ns.Cancellation)).Items
            .Where(pod => pod.Metadata.Name != FillerName && !string.IsNullOrEmpty(pod.Spec.NodeName) && !PodWaits.HasEnded(pod)).ToList();
        return (pods.Count > 0, $"{pods.Count} members bound with one {Accelerator.ExtendedResource} each");
    }

    /// <summary>Why the units free to the test no longer hold the group as sized (others took or gave back units meanwhile); null while they do.</summary>
    public async Task<string?> MovedAsync()
    {
        var now = await FreeAcceleratorUnits.CountAsync(ns, Accelerator);
        if (Node is not null)
            return now.On(Node) == atSizing.On(Node) ? null
                : $"pods of other namespaces left {atSizing.On(Node)} accelerator units of node {Node} free when the group was sized and {now.On(Node)} now ({now.Described})";
        return now.Units >= members ? null
            : $"accelerator units free to the test were {atSizing.Units} when the group was sized and are {now.Units} now ({now.Described}), " +
              $"fewer than its {members} members";
    }

    /// <summary>Waits until no claim of the members holds a device (DRA), and records the units free afterwards.</summary>
    public async Task WaitReleasedAsync()
    {
        if (Accelerator.Path == AcceleratorPath.Dra)
        {
            var claims = await Wait.For(ns.Claims())
                .Until("every claim of the group's members to be deallocated or deleted", seen => seen.Where(IsMembers).All(claim => !claim.IsAllocated()))
                .DescribedBy(seen => Claims.Describe([.. seen.Where(IsMembers)])).Within(ns.Timeouts.DevicesReleased).Async(ns.Cancellation);
            var members = claims.Where(IsMembers).ToList();
            Evidence.Observed("claims of the test after the group", members.Count == 0 ? "none left" : Claims.Describe(members));
        }
        Evidence.Observed("accelerator units after the group", (await FreeAcceleratorUnits.CountAsync(ns, Accelerator)).Described);
    }

    /// <summary>Counts the accelerator-seconds of pods the test is deleting: each bound pod's units, from its scheduling to now.</summary>
    public void Account(IEnumerable<V1Pod> pods)
    {
        var now = DateTime.UtcNow;
        foreach (var pod in pods.Where(pod => !string.IsNullOrEmpty(pod.Spec.NodeName) && accounted.Add(pod.Metadata.Uid ?? pod.Metadata.Name)))
        {
            var since = pod.Status?.Conditions?.FirstOrDefault(condition => condition is { Type: "PodScheduled", Status: "True" })?.LastTransitionTime
                        ?? pod.Metadata.CreationTimestamp ?? now;
            heldSeconds += (pod.Metadata.Name == FillerName ? Surplus : 1) * Math.Max(0, (now - since).TotalSeconds);
        }
    }

    /// <summary>Counts the pods still there (the filler, members of a step that failed), which go with the namespace, and writes the total.</summary>
    public async Task AccountRemainingAsync()
    {
        try
        {
            Account((await ns.Objects<V1Pod>().ListAsync(null, null, ns.Cancellation)).Items);
        }
        catch (Exception error) when (error is OperationCanceledException or k8s.Autorest.HttpOperationException || TransientErrors.IsDroppedRead(error))
        {
            // The total then lacks what could not be listed; it never fails the test.
        }
        Evidence.AcceleratorSeconds(heldSeconds);
    }

    private static bool IsMembers(Resourcev1ResourceClaim claim) => claim.Metadata.Name != FillerName;
}
