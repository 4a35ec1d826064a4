using AiConformance.Suite.Framework;
using AiConformance.Workloads.Probe;
using k8s;
using k8s.Autorest;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Security;

/// <summary>
/// workload_sandboxing (KAR-0020): a sandboxed RuntimeClass runs the workload on a kernel of its own, isolated from
/// the host's processes, memory, filesystem and network.
/// </summary>
[Requirement("workload_sandboxing")]
public sealed class WorkloadSandboxing
{
    public const string RuntimeClassKey = "sandbox.runtimeClass";

    /// <summary>Handlers and names of sandboxing runtimes (gVisor, Kata Containers, microVM runtimes).</summary>
    private static readonly string[] SandboxWords = ["gvisor", "runsc", "kata", "firecracker", "cloud-hypervisor", "microvm", "sandbox", "qemu"];

    private static RunContext Run => RunContext.Current;

    [Test]
    [Description("KAR-0020 steps 1-3: a pod of the sandboxed RuntimeClass runs, and compared with a host-namespace control pod on the same node it has its own kernel, sees no host process, no /dev/mem, no host filesystem and its own network")]
    public async Task SandboxedPodIsIsolatedFromTheHostKernel()
    {
        var runtimeClass = await RequireSandboxRuntimeClassAsync();
        await using var ns = await TestNamespace.CreateAsync("sandbox");

        Evidence.Step($"Run a probe pod with runtimeClassName {runtimeClass.Metadata.Name} (handler {runtimeClass.Handler})");
        await ns.CreateAsync((ProbePod.Configured("sandboxed", Run.Configuration) with { RuntimeClassName = runtimeClass.Metadata.Name }).Build());
        var node = (await ns.WaitForRunningAsync("sandboxed")).Single().Spec.NodeName;

        Evidence.Step($"Control: a probe pod on {node} with the default runtime in the host's process and network namespaces");
        var hostView = await CreateControlAsync(ns, node);
        await ns.WaitForRunningAsync("control");
        var sandboxed = await ns.ReadProbeAsync("sandboxed");
        var host = await ns.ReadProbeAsync("control");
        Record("sandboxed", sandboxed);
        Record("control", host);

        var hostProcesses = host.Processes.Select(process => process.CommandLine)
            .Where(command => command.Length > 0 && !command.Contains(Workloads.WorkloadRoles.Probe, StringComparison.Ordinal)).ToHashSet();
        var hostAddresses = host.InterfaceAddresses.Values.Where(address => address != "00:00:00:00:00:00").ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Multiple(() =>
        {
            Assert.That(sandboxed.Kernel.BootId, Is.Not.Null.And.Not.EqualTo(host.Kernel.BootId), "boot id: the sandbox must run on a kernel booted on its own");
            Assert.That(sandboxed.Kernel.Version, Is.Not.EqualTo(host.Kernel.Version), "/proc/version: the sandbox reports the host's kernel");
            Assert.That(sandboxed.DevMemPresent, Is.False, "/dev/mem (the host's physical memory) is visible in the sandbox");
            Assert.That(sandboxed.HostMounts.Select(mount => $"{mount.Root} on {mount.MountPoint} ({mount.Source})"), Is.Empty,
                "mounts of the node's own filesystem inside the sandbox");
            Assert.That(sandboxed.Processes.Select(process => process.CommandLine).Where(hostProcesses.Contains), Is.Empty,
                "host processes visible inside the sandbox");
            if (hostView)
            {
                // Negative control: in the host's namespaces the probe does see host processes and interfaces.
                Assert.That(hostProcesses, Is.Not.Empty, "control: the host-namespace pod sees host processes (else the comparison proves nothing)");
                Assert.That(sandboxed.InterfaceAddresses.Values.Where(hostAddresses.Contains), Is.Empty, "host network interfaces inside the sandbox");
            }
        });
    }

    private static async Task<V1RuntimeClass> RequireSandboxRuntimeClassAsync()
    {
        var classes = (await Run.Kubernetes.NodeV1.ListRuntimeClassAsync(cancellationToken: Run.Cancellation)).Items;
        if (Run.Configuration.Get(RuntimeClassKey) is { } configured)
        {
            var named = classes.FirstOrDefault(runtimeClass => runtimeClass.Metadata.Name == configured);
            if (named is null) Assert.Fail($"configured {RuntimeClassKey} '{configured}' does not exist; RuntimeClasses: [{string.Join(", ", classes.Select(c => c.Metadata.Name))}]");
            return named!;
        }
        var sandbox = classes.FirstOrDefault(runtimeClass => SandboxWords.Any(word =>
            runtimeClass.Metadata.Name.Contains(word, StringComparison.OrdinalIgnoreCase) || runtimeClass.Handler.Contains(word, StringComparison.OrdinalIgnoreCase)));
        if (sandbox is not null)
        {
            Evidence.Observed("sandboxed RuntimeClass", $"{sandbox.Metadata.Name} (handler {sandbox.Handler})");
            return sandbox;
        }
        var agentsApi = await ServesAgentSandboxesAsync();
        Outcome.NeedsAttestation(
            $"no sandboxed RuntimeClass found (RuntimeClasses: [{string.Join(", ", classes.Select(c => $"{c.Metadata.Name}/{c.Handler}"))}]; looked for handlers or names with {string.Join(", ", SandboxWords)})" +
            (agentsApi ? "; the agents.x-k8s.io API is served, but its sandboxes' isolation cannot be verified without a RuntimeClass" : "") +
            $". Set {RuntimeClassKey} to the sandboxed RuntimeClass, or attest the mechanism");
        return null!;
    }

    private static async Task<bool> ServesAgentSandboxesAsync()
    {
        try
        {
            var groups = await Run.Kubernetes.Apis.GetAPIVersionsAsync(Run.Cancellation);
            return groups.Groups.Any(group => group.Name == "agents.x-k8s.io");
        }
        catch (HttpOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The control pod joins the host's process and network namespaces so that it shows what the host has; where the
    /// cluster's policy forbids that, a plain pod still gives the host's kernel identity.
    /// </summary>
    private static async Task<bool> CreateControlAsync(TestNamespace ns, string node)
    {
        try
        {
            await ns.CreateAsync((ProbePod.Configured("control", Run.Configuration) with { Node = node, HostNamespaces = true }).Build());
            return true;
        }
        catch (HttpOperationException error) when ((int)error.Response.StatusCode is 400 or 403 or 422)
        {
            Evidence.Observed("host-namespace control pod refused", $"{(int)error.Response.StatusCode}: {error.Response.Content}");
            await ns.CreateAsync((ProbePod.Configured("control", Run.Configuration) with { Node = node }).Build());
            return false;
        }
    }

    private static void Record(string pod, ProbeReport report) =>
        Evidence.Observed($"{pod} kernel", $"{report.Kernel.Release}; boot {report.Kernel.BootId}; {report.Kernel.Version}; " +
                                           $"{report.Processes.Count} processes; interfaces [{string.Join(", ", report.NetworkInterfaces)}]; " +
                                           $"host mounts {report.HostMounts.Count}; /dev/mem {(report.DevMemPresent ? "present" : "absent")}");
}
