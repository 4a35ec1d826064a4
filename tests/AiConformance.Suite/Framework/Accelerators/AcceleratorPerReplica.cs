using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// One accelerator unit for every replica of a test's servers (autoscaled model servers, prefill and decode instances),
/// as AI serving runs: the detected accelerator (a ResourceClaimTemplate of its DeviceClass for DRA, else the device
/// plugin's extended resource), used only where enough units are free for the most replicas the test will run, counted
/// from allocations and pod requests. Otherwise the servers run on CPU and the evidence says why: whether they hold an
/// accelerator is not what these tests decide.
/// </summary>
public sealed class AcceleratorPerReplica
{
    private const string ClaimName = "accelerator";

    private readonly string template;

    private AcceleratorPerReplica(DetectedAccelerator accelerator, string template) => (Accelerator, this.template) = (accelerator, template);

    public DetectedAccelerator Accelerator { get; }

    /// <summary>The accelerator the replicas hold (its claim template created), or null for CPU-only replicas.</summary>
    public static async Task<AcceleratorPerReplica?> ChooseAsync(TestNamespace ns, int mostReplicas, string template)
    {
        var detection = await AcceleratorDetection.DetectAsync(ns.Run);
        if (detection.Found.FirstOrDefault() is not { } accelerator)
        {
            Evidence.Observed("accelerator per replica", $"none found ({detection.Searched}): CPU-only servers");
            return null;
        }
        var free = await FreeAcceleratorUnits.CountAsync(ns, accelerator);
        if (free.Units < mostReplicas)
        {
            Evidence.Observed("accelerator per replica", $"CPU-only servers: {free.Units} units free, fewer than the {mostReplicas} replicas the test runs at most ({free.Described})");
            return null;
        }
        Evidence.Observed("accelerator per replica", $"{accelerator.Summary}; {free.Described}");
        if (accelerator.Path == AcceleratorPath.Dra) await ns.CreateAsync(Claims.Template(template, accelerator.DeviceClass!));
        return new AcceleratorPerReplica(accelerator, template);
    }

    /// <summary>Gives a server's pod spec its unit (in its first container) and the accelerator's placement.</summary>
    public void Equip(V1PodSpec spec)
    {
        var container = spec.Containers[0];
        container.Resources ??= new V1ResourceRequirements();
        spec.NodeSelector = Accelerator.NodeSelector.Count > 0 ? new Dictionary<string, string>(Accelerator.NodeSelector) : null;
        spec.Tolerations = Accelerator.Tolerations.Count > 0 ? [.. Accelerator.Tolerations] : null;
        if (Accelerator.Path == AcceleratorPath.Dra)
        {
            spec.ResourceClaims = [ProbePod.FromTemplate(ClaimName, template)];
            container.Resources.Claims = [new Corev1ResourceClaim { Name = ClaimName }];
        }
        else
        {
            container.Resources.Limits = new Dictionary<string, ResourceQuantity> { [Accelerator.ExtendedResource!] = new("1") };
        }
    }

    /// <summary>A replica holds its unit: its claim was generated (DRA) or it was bound with the resource (device plugin).</summary>
    public bool Holds(V1Pod pod) => Accelerator.Path == AcceleratorPath.Dra
        ? pod.Status?.ResourceClaimStatuses?.Any(claim => !string.IsNullOrEmpty(claim.ResourceClaimName)) == true
        : pod.Spec.NodeName is not null;
}
