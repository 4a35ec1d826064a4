using System.Globalization;
using AiConformance.Workloads.Probe;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Networks;

/// <summary>A probe pod that claimed one network interface: the pod, its allocated device and what its container sees.</summary>
public sealed record NicPod(V1Pod Pod, Resourcev1ResourceClaim Claim, PublishedDevice? Device, ProbeReport View)
{
    public string Node => Pod.Spec.NodeName;

    public string Describe() =>
        $"{Pod.Metadata.Name} on {Node}: {Claim.Describe()}; sees interfaces " +
        string.Join(", ", View.NetworkInterfaces.Select(name => $"{name}({View.InterfaceAddresses.GetValueOrDefault(name) ?? "no address"})"));
}

/// <summary>Probe pods that claim a network interface through the detected driver's DeviceClass.</summary>
public static class NicPods
{
    /// <summary>
    /// Runs a probe pod with a ResourceClaimTemplate for one interface (selected by <paramref name="celSelector"/> when
    /// given, pinned to <paramref name="node"/> when given) and returns what it was given and what it sees.
    /// <paramref name="expectedNode"/> is where the selected interface is, when the pod is not pinned: if that node
    /// leaves the cluster while the pod waits, the test needs attestation instead of failing.
    /// </summary>
    public static async Task<NicPod> RunAsync(TestNamespace ns, DetectedNetwork network, string name, string? node = null, string? celSelector = null,
        string? expectedNode = null)
    {
        await ns.CreateAsync(Claims.Template(name, network.DeviceClass, 1, celSelector));
        var settings = AcceleratorSettings.From(ns.Run.Configuration);
        var pod = ProbePod.Configured(name, ns.Run.Configuration) with
        {
            Node = node,
            Tolerations = settings.Tolerations,
            Claims = [ProbePod.FromTemplate(Claims.RequestName, name)],
            Containers = [new ProbeContainer { Claims = [Claims.RequestName] }],
        };
        await ns.CreateAsync(pod.Build());
        try
        {
            return await ObserveAsync(ns, network, name);
        }
        catch (NUnit.Framework.AssertionException failure) when ((node ?? expectedNode) is not null)
        {
            var where = (node ?? expectedNode)!;
            if (await NodeDeparture.IsLeavingAsync(ns.Run, where))
                Outcome.NeedsAttestation($"node {where}, where the interface {name} claims is, left the cluster while the pod waited for it " +
                                         $"(e.g. removed by an autoscaler); run again when the node pools are steady. The wait said: {failure.Message}");
            throw;
        }
    }

    /// <summary>A probe pod without any claim on <paramref name="node"/>: what a pod that asked for no interface sees.</summary>
    public static async Task<ProbeReport> RunUnclaimedAsync(TestNamespace ns, string name, string node)
    {
        await ns.CreateAsync((ProbePod.Configured(name, ns.Run.Configuration) with
        {
            Node = node,
            Tolerations = AcceleratorSettings.From(ns.Run.Configuration).Tolerations,
        }).Build());
        await ns.WaitForRunningAsync(name);
        var view = await ns.ReadProbeAsync(name);
        Evidence.Observed($"{name} (no claim) interfaces", string.Join(", ", view.NetworkInterfaces));
        return view;
    }

    private static async Task<NicPod> ObserveAsync(TestNamespace ns, DetectedNetwork network, string name)
    {
        var pod = (await ns.WaitForRunningAsync(name)).Single();
        var claimName = pod.Status?.ResourceClaimStatuses?.FirstOrDefault()?.ResourceClaimName
                        ?? throw new NUnit.Framework.AssertionException($"pod {name} runs but its status names no generated ResourceClaim");
        var claim = await ns.Kubernetes.ResourceV1.ReadNamespacedResourceClaimAsync(claimName, ns.Name, cancellationToken: ns.Cancellation);
        var result = claim.Allocated().FirstOrDefault();
        var device = result is null ? null
            : network.Devices.FirstOrDefault(candidate => candidate.Driver == result.Driver && candidate.Pool == result.Pool && candidate.Name == result.Device);
        var view = await ns.ReadProbeAsync(name);
        var observed = new NicPod(pod, claim, device, view);
        Evidence.Observed(name, observed.Describe());
        if (device is not null) Evidence.Observed($"{name} was allocated", device.Describe());
        return observed;
    }

    /// <summary>
    /// A CEL selector for devices whose <paramref name="attribute"/> (as published, qualified or short) has the
    /// device's value, in the form DRA claims use: <c>device.attributes["dra.net"].ifName == "eth1"</c>.
    /// </summary>
    public static string Selector(PublishedDevice device, string attribute)
    {
        var qualified = NicAttributes.Qualified(device, attribute);
        var slash = qualified.LastIndexOf('/');
        var (domain, name) = slash < 0 ? (device.Driver, qualified) : (qualified[..slash], qualified[(slash + 1)..]);
        var value = device.Attributes[qualified] switch
        {
            { StringValue: { } text } => $"\"{text}\"",
            { BoolValue: { } flag } => flag ? "true" : "false",
            { IntValue: { } number } => number.ToString(CultureInfo.InvariantCulture),
            { Version: { } version } => $"\"{version}\"",
            _ => throw new ArgumentException($"attribute {qualified} of {device.Key} has no value"),
        };
        return $"device.attributes[\"{domain}\"].{name} == {value}";
    }
}
