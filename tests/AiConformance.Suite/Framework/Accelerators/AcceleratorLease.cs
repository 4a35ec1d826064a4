using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The accelerators a test holds. Pods that get devices are started through it; releasing (explicitly, or when
/// disposed) deletes them and the claims it made, waits until no claim of the namespace still holds a device, and
/// writes the accelerator-seconds held (devices multiplied by the seconds from creating a pod to seeing its devices
/// free) to the evidence. Disposal never fails a test; a test that proves deallocation calls <see cref="ReleaseAsync"/>.
/// </summary>
public sealed class AcceleratorLease(TestNamespace ns, DetectedAccelerator accelerator) : IAsyncDisposable
{
    private readonly List<(string Pod, int Devices, DateTimeOffset Since)> pods = [];
    private readonly List<string> claims = [];
    private bool released;

    public DetectedAccelerator Accelerator => accelerator;

    public TestNamespace Namespace => ns;

    /// <summary>
    /// Starts a probe pod holding <paramref name="count"/> devices (DRA: through its own ResourceClaimTemplate; device
    /// plugin: through the extended resource), optionally on one node, with the accelerator's node selector and
    /// tolerations. <paramref name="shape"/> adjusts the pod further.
    /// </summary>
    public async Task<V1Pod> StartProbeAsync(string name, int count = 1, string? node = null, Func<ProbePod, ProbePod>? shape = null)
    {
        var pod = Base(name, node);
        if (accelerator.Path == AcceleratorPath.Dra)
        {
            await ns.CreateAsync(Claims.Template(name, accelerator.DeviceClass!, count));
            pod = pod with
            {
                Claims = [ProbePod.FromTemplate(Claims.RequestName, name)],
                Containers = [new ProbeContainer { Claims = [Claims.RequestName] }],
            };
        }
        else
        {
            pod = pod with { Containers = [new ProbeContainer { ExtendedResources = new Dictionary<string, int> { [accelerator.ExtendedResource!] = count } }] };
        }
        return await StartAsync(shape is null ? pod : shape(pod), count);
    }

    /// <summary>A probe pod with the accelerator's placement but no request: the caller decides what it asks for.</summary>
    public ProbePod Base(string name, string? node = null) => ProbePod.Configured(name, ns.Run.Configuration) with
    {
        Node = node,
        NodeSelector = accelerator.NodeSelector,
        Tolerations = accelerator.Tolerations,
    };

    /// <summary>Creates a pod that holds <paramref name="devices"/> devices, and accounts for it.</summary>
    public async Task<V1Pod> StartAsync(ProbePod pod, int devices)
    {
        var created = await ns.CreateAsync(pod.Build());
        pods.Add((created.Metadata.Name, devices, DateTimeOffset.UtcNow));
        return created;
    }

    /// <summary>Creates a standalone claim, deleted on release.</summary>
    public async Task<Resourcev1ResourceClaim> CreateClaimAsync(Resourcev1ResourceClaim claim)
    {
        var created = await ns.CreateAsync(claim);
        claims.Add(created.Metadata.Name);
        return created;
    }

    /// <summary>
    /// Deletes the pods and claims and waits until every claim of the namespace is deallocated or gone; with
    /// <paramref name="mustRelease"/> the test fails when that does not happen in time.
    /// </summary>
    public async Task ReleaseAsync(bool mustRelease = true)
    {
        released = true;
        // A pod that was never scheduled held no device; it does not count towards accelerator-seconds.
        var scheduled = (await ns.Kubernetes.CoreV1.ListNamespacedPodAsync(ns.Name, cancellationToken: ns.Cancellation)).Items
            .Where(pod => !string.IsNullOrEmpty(pod.Spec.NodeName)).Select(pod => pod.Metadata.Name).ToHashSet();
        foreach (var (pod, _, _) in pods) await ns.DeleteAsync<V1Pod>(pod, gracePeriodSeconds: 0);
        var start = pods.Count == 0 ? DateTimeOffset.UtcNow : pods.Min(entry => entry.Since);
        try
        {
            if (pods.Count > 0) await ns.WaitForGoneAsync([.. pods.Select(entry => entry.Pod)]);
            // Device-plugin pods hold no claims, and a cluster without DRA cannot even list them.
            if (accelerator.Path == AcceleratorPath.Dra || claims.Count > 0)
                await ReleaseClaimsAsync(mustRelease);
            Evidence.Step($"all devices released {(DateTimeOffset.UtcNow - start).TotalSeconds:0.0} s after the first pod was created");
        }
        catch (AssertionException) when (!mustRelease)
        {
            TestContext.Out.WriteLine($"- cleanup: devices of namespace `{ns.Name}` were not released within {ns.Timeouts.DevicesReleased.TotalSeconds:0} s");
        }
        finally
        {
            var now = DateTimeOffset.UtcNow;
            Evidence.AcceleratorSeconds(pods.Where(entry => scheduled.Contains(entry.Pod)).Sum(entry => entry.Devices * (now - entry.Since).TotalSeconds));
            pods.Clear();
            claims.Clear();
        }
    }

    private async Task ReleaseClaimsAsync(bool mustRelease)
    {
        // Cleanup (not a check) deletes every claim, so a cluster that never deallocates cannot starve later tests.
        var toDelete = mustRelease ? claims
            : [.. (await ns.Kubernetes.ResourceV1.ListNamespacedResourceClaimAsync(ns.Name, cancellationToken: ns.Cancellation)).Items.Select(claim => claim.Metadata.Name)];
        foreach (var claim in toDelete) await ns.DeleteAsync<Resourcev1ResourceClaim>(claim);
        await Wait.For(ns.Claims())
            .Until("every claim of the test to be deallocated or deleted after its pods were deleted", seen => seen.All(claim => !claim.IsAllocated()))
            .DescribedBy(Claims.Describe).Within(ns.Timeouts.DevicesReleased).Async(ns.Cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        if (released && pods.Count == 0 && claims.Count == 0) return;
        try
        {
            await ReleaseAsync(mustRelease: false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A failed cleanup must not hide the test's own outcome; the namespace deletion removes the rest.
            TestContext.Out.WriteLine($"- cleanup: releasing devices failed: {error.Message}");
        }
    }
}
