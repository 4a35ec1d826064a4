using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Gangs;

/// <summary>
/// The accelerator a group's members each hold one unit of (the AI case of gang scheduling), when the cluster has one
/// the test can hold: the accelerator the suite detects (a ResourceClaimTemplate of its DeviceClass for DRA, else the
/// device plugin's extended resource), a quota resource the backend counts its units as, and at least one free unit
/// per member, counted from allocations and pod requests. Otherwise the test uses CPU, and the evidence says why.
/// </summary>
public sealed class GangAccelerator
{
    public const string TemplateName = "gang-member-accelerator";

    private readonly TestNamespace ns;
    private readonly int members;
    private readonly FreeAcceleratorUnits atSizing;

    private GangAccelerator(TestNamespace ns, DetectedAccelerator accelerator, string quotaResource, int members, FreeAcceleratorUnits atSizing) =>
        (this.ns, Accelerator, QuotaResource, this.members, this.atSizing) = (ns, accelerator, quotaResource, members, atSizing);

    public DetectedAccelerator Accelerator { get; }

    /// <summary>The resource the backend's quota counts one unit per member as.</summary>
    public string QuotaResource { get; }

    public string Describe() => $"one unit per member of {Accelerator.Summary}, counted as quota resource `{QuotaResource}`";

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
        return WhyCpu(free, members, resource, why) is { } reason ? (null, reason) : (new GangAccelerator(ns, accelerator, resource!, members, free), null);
    }

    /// <summary>Why a group of <paramref name="members"/> cannot hold one accelerator unit each; null when it can.</summary>
    public static string? WhyCpu(FreeAcceleratorUnits free, int members, string? quotaResource, string? whyNoQuotaResource) =>
        quotaResource is null ? whyNoQuotaResource ?? "the gang scheduler cannot count accelerator units"
        : free.Units < members ? $"only {free.Units} of {free.Total} accelerator units are free, fewer than the {members} the whole group needs to run at once"
        : null;

    /// <summary>Creates what members refer to for their unit (the DRA ResourceClaimTemplate).</summary>
    public async Task PrepareAsync()
    {
        if (Accelerator.Path != AcceleratorPath.Dra) return;
        Evidence.Step($"Create ResourceClaimTemplate `{TemplateName}`: one device of DeviceClass {Accelerator.DeviceClass} per member");
        await ns.CreateAsync(Claims.Template(TemplateName, Accelerator.DeviceClass!));
    }

    /// <summary>A member that asks for one unit, placed where the accelerator is.</summary>
    public ProbePod Equip(ProbePod member) => (member with { NodeSelector = Accelerator.NodeSelector, Tolerations = Accelerator.Tolerations }) switch
    {
        var placed when Accelerator.Path == AcceleratorPath.Dra => placed with
        {
            Claims = [ProbePod.FromTemplate(Claims.RequestName, TemplateName)],
            Containers = [new ProbeContainer { Claims = [Claims.RequestName] }],
        },
        var placed => placed with { Containers = [new ProbeContainer { ExtendedResources = new Dictionary<string, int> { [Accelerator.ExtendedResource!] = 1 } }] },
    };

    /// <summary>Why the units free to the test no longer hold the group (others took them meanwhile); null while they do.</summary>
    public async Task<string?> MovedAsync()
    {
        var now = await FreeAcceleratorUnits.CountAsync(ns, Accelerator);
        return now.Units >= members ? null
            : $"accelerator units free to the test were {atSizing.Units} when the group was sized and are {now.Units} now ({now.Described}), " +
              $"fewer than its {members} members";
    }

    /// <summary>Waits until no claim of the test holds a device (DRA), and records the units free afterwards.</summary>
    public async Task WaitReleasedAsync()
    {
        if (Accelerator.Path == AcceleratorPath.Dra)
        {
            var claims = await Wait.For(ns.Claims())
                .Until("every claim of the group's members to be deallocated or deleted", seen => seen.All(claim => !claim.IsAllocated()))
                .DescribedBy(Claims.Describe).Within(ns.Timeouts.DevicesReleased).Async(ns.Cancellation);
            Evidence.Observed("claims of the test after the group", claims.Count == 0 ? "none left" : Claims.Describe(claims));
        }
        Evidence.Observed("accelerator units after the group", (await FreeAcceleratorUnits.CountAsync(ns, Accelerator)).Described);
    }
}
