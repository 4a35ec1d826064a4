using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Networks;
using NUnit.Framework;

namespace AiConformance.Suite.Networking;

/// <summary>
/// high_performance_networking (KAR-0010): specialized network interfaces are managed through DRA: a driver publishes
/// them with their characteristics, a pod claims one by a published attribute and sees it as a second interface with
/// the published name and hardware address, and two pods on one node get different interfaces. One case per DRA
/// network driver found; a cluster without one needs attestation (secondary networks through Multus are reported).
/// Not covered: traffic over the secondary interface (the probe sees interfaces, it does not send RDMA traffic).
/// </summary>
[Requirement("high_performance_networking")]
[Holds(Hold.ClusterResource, "network-interfaces")] // claims chosen interfaces of one node, which must be free
public sealed class HighPerformanceNetworking
{
    private static IEnumerable<TestCaseData> Drivers() => NetworkDetection.Cases.Cases();

    private static RunContext Run => RunContext.Current;

    private static DetectedNetwork Require(DetectedNetwork? found) =>
        NetworkDetection.Cases.Require(found, "DRA network driver",
            searched => Outcome.NeedsAttestation(
                $"no DRA driver publishing network interfaces was found (looked for: {searched}). The requirement is a " +
                $"SHOULD for platforms that need high-performance pod-to-pod networking: attest how such interfaces are " +
                $"exposed (e.g. DRANET), or name their DeviceClass with {NetworkDetection.DeviceClassKey}."));

    /// <summary>The found driver's interfaces as published when the test starts (nodes may have left since the suite was loaded).</summary>
    private static async Task<DetectedNetwork> RequireCurrentAsync(DetectedNetwork? found)
    {
        var loaded = Require(found);
        var network = await NetworkDetection.CurrentAsync(Run, loaded);
        if (network.Devices.Count == 0)
            Outcome.NeedsAttestation($"{network.Driver} published {loaded.Devices.Count} interfaces when the run began and publishes none now " +
                                     "(their nodes left the cluster, e.g. removed by an autoscaler); run again when the node pools are steady");
        return network;
    }

    [TestCaseSource(nameof(Drivers))]
    [Description("KAR-0010 'characteristics are discoverable': every published interface has a name unique on its node and characteristics (RDMA, bandwidth, PCI address, NUMA node, type) a scheduler can select on")]
    public void PublishedInterfacesCarryTheirCharacteristics(DetectedNetwork? found)
    {
        var network = Require(found);
        foreach (var device in network.Devices.Take(8)) Evidence.Observed("interface", device.Describe());
        var withoutCharacteristics = network.Devices.Where(device => NicAttributes.CharacteristicsOf(device).Count == 0).Select(device => device.Key).ToList();
        var duplicateNames = network.Devices.GroupBy(device => (device.Node, Name: NicAttributes.InterfaceName(device)))
            .Where(group => group.Count() > 1).Select(group => $"{group.Key.Name} on {group.Key.Node}").ToList();
        Evidence.Observed("characteristics published", string.Join("; ", network.Devices.Take(4).Select(device =>
            $"{device.Key}: {string.Join(", ", NicAttributes.CharacteristicsOf(device).Select(c => $"{c.What} ({c.Attribute})={c.Value}"))}")));

        Assert.Multiple(() =>
        {
            Assert.That(network.Devices, Is.Not.Empty, "published interfaces");
            Assert.That(withoutCharacteristics, Is.Empty, $"interfaces that publish none of {string.Join(", ", NicAttributes.Characteristics.Keys)}");
            Assert.That(duplicateNames, Is.Empty, "interface names published twice on one node (a pod could not tell which it got)");
        });
    }

    [TestCaseSource(nameof(Drivers))]
    [Description("KAR-0010 'pods attach to multiple interfaces, scheduled where the interface is': a claim selecting one interface by its published attributes puts the pod on that interface's node, and the pod sees it beside its default interface with the published name and address; a pod without a claim does not")]
    public async Task PodClaimingAnInterfaceByItsAttributesSeesItWithThePublishedNameAndAddress(DetectedNetwork? found)
    {
        var network = await RequireCurrentAsync(found);
        var wanted = network.Devices.OrderBy(device => device.Node, StringComparer.Ordinal).ThenBy(device => device.Name, StringComparer.Ordinal).Last();
        // The hardware address names one interface of the cluster: the scheduler must find the node that has it.
        var byAddress = NicAttributes.HardwareAddressAttribute(wanted);
        var selector = NicPods.Selector(wanted, byAddress ?? NicAttributes.InterfaceNameAttribute(wanted)!);
        if (NicAttributes.CharacteristicsOf(wanted).FirstOrDefault(c => c.What == "RDMA") is { Value: "true" } rdma)
            selector += " && " + NicPods.Selector(wanted, rdma.Attribute);
        await using var ns = await TestNamespace.CreateAsync("nic");

        Evidence.Step($"Run a probe pod whose claim of {network.DeviceClass} selects `{selector}` (published for {wanted.Key} on {wanted.Node})");
        var claimed = await NicPods.RunAsync(ns, network, "nic-probe", celSelector: selector, expectedNode: wanted.Node);
        Evidence.Step($"Control: a probe pod without a claim on the same node {claimed.Node}");
        var unclaimed = await NicPods.RunUnclaimedAsync(ns, "no-nic-probe", claimed.Node);
        var name = claimed.Device is null ? null : NicAttributes.InterfaceName(claimed.Device);

        Assert.Multiple(() =>
        {
            Assert.That(claimed.Device, Is.Not.Null, $"the claim is allocated one published interface of {network.Driver}; {claimed.Claim.Describe()}");
            Assert.That(claimed.Device?.Node, Is.EqualTo(claimed.Node), "the interface allocated is on the pod's node");
            if (byAddress is not null)
                Assert.That(claimed.Device?.Key, Is.EqualTo(wanted.Key), $"the claim selected the one interface with {byAddress} {NicAttributes.HardwareAddress(wanted)}");
            else
                Assert.That(claimed.Device is null || NicAttributes.InterfaceName(claimed.Device) == NicAttributes.InterfaceName(wanted), Is.True,
                    $"the allocated interface has the attribute the claim selected ({selector})");
            Assert.That(claimed.View.NetworkInterfaces.Except(unclaimed.NetworkInterfaces), Is.Not.Empty,
                $"the pod has an interface beyond those of a pod without a claim ({string.Join(", ", unclaimed.NetworkInterfaces)}); {claimed.Describe()}");
            Assert.That(claimed.Device is not null && DetectedNetwork.IsSeenIn(claimed.Device, claimed.View), Is.True,
                $"the pod sees the allocated interface {name} with the published hardware address {(claimed.Device is null ? "" : NicAttributes.HardwareAddress(claimed.Device))}; {claimed.Describe()}");
            // Negative control: the interface is the claim's doing, not something every pod on the node has.
            Assert.That(name is not null && unclaimed.NetworkInterfaces.Contains(name), Is.False, $"a pod without a claim must not see {name}");
        });
    }

    [TestCaseSource(nameof(Drivers))]
    [Description("KAR-0010, isolation: two pods on one node, each claiming one interface, are allocated different interfaces and each sees its own")]
    public async Task TwoPodsOnOneNodeGetDifferentInterfaces(DetectedNetwork? found)
    {
        var network = await RequireCurrentAsync(found);
        if (network.NodesWithTwo.Count == 0)
            Outcome.NeedsAttestation($"no node has two interfaces of {network.Driver} ({network.Summary}); attest that two pods on one node get different interfaces");
        var node = network.NodesWithTwo[0];
        await using var ns = await TestNamespace.CreateAsync("nic-pair");

        Evidence.Step($"Run two probe pods on {node}, each with its own claim of one {network.DeviceClass} interface");
        var first = await NicPods.RunAsync(ns, network, "nic-first", node);
        var second = await NicPods.RunAsync(ns, network, "nic-second", node);

        Assert.Multiple(() =>
        {
            Assert.That(first.Device, Is.Not.Null, $"the first claim is allocated a published interface; {first.Claim.Describe()}");
            Assert.That(second.Device, Is.Not.Null, $"the second claim is allocated a published interface; {second.Claim.Describe()}");
            Assert.That(first.Device?.Key, Is.Not.EqualTo(second.Device?.Key), "the two claims must be allocated different interfaces");
            Assert.That(first.Device is not null && DetectedNetwork.IsSeenIn(first.Device, first.View), Is.True, $"the first pod sees its interface; {first.Describe()}");
            Assert.That(second.Device is not null && DetectedNetwork.IsSeenIn(second.Device, second.View), Is.True, $"the second pod sees its interface; {second.Describe()}");
            Assert.That(first.Device is not null && DetectedNetwork.IsSeenIn(first.Device, second.View), Is.False, "the second pod must not see the first pod's interface");
        });
    }
}
