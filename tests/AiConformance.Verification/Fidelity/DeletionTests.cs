using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>Deletion as kube-apiserver, the garbage collector and the namespace controller carry it out.</summary>
public sealed class DeletionTests : FidelityFixture
{
    [Test]
    public async Task BackgroundDeletionRemovesDependents()
    {
        var (ns, owner) = await OwnerWithDependentAsync();
        var deleted = await Admin.CoreV1.DeleteNamespacedConfigMapAsync(owner.Metadata.Name, ns, propagationPolicy: "Background", cancellationToken: Timeout);
        Assert.That(deleted.Kind, Is.EqualTo("ConfigMap"), "DELETE answers with the object, not a Status");
        Assert.That((await Admin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items, Is.Empty);
    }

    [Test]
    public async Task OrphanDeletionKeepsDependentsWithoutTheOwnerReference()
    {
        var (ns, owner) = await OwnerWithDependentAsync();
        await Admin.CoreV1.DeleteNamespacedConfigMapAsync(owner.Metadata.Name, ns, propagationPolicy: "Orphan", cancellationToken: Timeout);
        var dependent = await Admin.CoreV1.ReadNamespacedPodAsync("dependent", ns, cancellationToken: Timeout);
        Assert.That(dependent.Metadata.OwnerReferences, Is.Null.Or.Empty);
    }

    [Test]
    public async Task ForegroundDeletionWaitsForAFinalizedDependent()
    {
        var (ns, owner) = await OwnerWithDependentAsync(dependentFinalizer: "example.com/hold");
        await Admin.CoreV1.DeleteNamespacedConfigMapAsync(owner.Metadata.Name, ns, propagationPolicy: "Foreground", cancellationToken: Timeout);
        var waiting = await Admin.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Timeout);
        Assert.That(waiting.Metadata.DeletionTimestamp, Is.Not.Null);
        Assert.That(waiting.Metadata.Finalizers, Does.Contain("foregroundDeletion"));

        var dependent = await Admin.CoreV1.ReadNamespacedPodAsync("dependent", ns, cancellationToken: Timeout);
        Assert.That(dependent.Metadata.DeletionTimestamp, Is.Not.Null, "the dependent is being deleted and held by its finalizer");
        await Admin.CoreV1.PatchNamespacedPodAsync(new V1Patch("{\"metadata\":{\"finalizers\":null}}", V1Patch.PatchType.MergePatch), "dependent", ns, cancellationToken: Timeout);

        var (code, _) = await FailureOf(() => Admin.CoreV1.ReadNamespacedConfigMapAsync("owner", ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(404), "the owner goes once its last dependent is gone");
    }

    [Test]
    public async Task JobsOrphanTheirPodsUnlessAPolicyIsGiven()
    {
        var ns = await NewNamespaceAsync();
        var job = await Admin.BatchV1.CreateNamespacedJobAsync(new V1Job
        {
            Metadata = new V1ObjectMeta { Name = "job" },
            Spec = new V1JobSpec
            {
                Template = new V1PodTemplateSpec
                {
                    Spec = new V1PodSpec { RestartPolicy = "Never", Containers = [new V1Container { Name = "main", Image = "busybox:1.36" }] },
                },
            },
        }, ns, cancellationToken: Timeout);
        Assert.That(job.Spec.BackoffLimit, Is.EqualTo(6));
        Assert.That(job.Spec.Selector.MatchLabels["batch.kubernetes.io/controller-uid"], Is.EqualTo(job.Metadata.Uid));
        var pod = Pod("job-pod");
        pod.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "batch/v1", Kind = "Job", Name = "job", Uid = job.Metadata.Uid, Controller = true }];
        await Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);

        await Admin.BatchV1.DeleteNamespacedJobAsync("job", ns, cancellationToken: Timeout);
        var kept = await Admin.CoreV1.ReadNamespacedPodAsync("job-pod", ns, cancellationToken: Timeout);
        Assert.That(kept.Metadata.OwnerReferences, Is.Null.Or.Empty);
    }

    [Test]
    public async Task NamespaceDeletionTerminatesThenRemovesEverything()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Timeout);
        var held = ConfigMap("held");
        held.Metadata.Finalizers = ["example.com/hold"];
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(held, ns, cancellationToken: Timeout);

        using var http = Server.CreateHttpClient();
        using var answer = await http.DeleteAsync($"/api/v1/namespaces/{ns}", Timeout);
        var answered = KubernetesJson.Deserialize<V1Namespace>(await answer.Content.ReadAsStringAsync(Timeout));
        Assert.That(answered.Status.Phase, Is.EqualTo("Terminating"), "DELETE answers with the terminating namespace");
        var terminating = await Plugin.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Timeout);
        Assert.That(terminating.Status.Phase, Is.EqualTo("Terminating"), "a finalized object keeps the namespace terminating");
        Assert.That((await Plugin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items, Is.Empty);

        var (code, refused) = await FailureOf(() => Plugin.CoreV1.CreateNamespacedPodAsync(Pod("late"), ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(403));
        Assert.That(refused!.Message, Is.EqualTo($"pods \"late\" is forbidden: unable to create new content in namespace {ns} because it is being terminated"));

        await Admin.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]", V1Patch.PatchType.JsonPatch), "held", ns, cancellationToken: Timeout);
        var (gone, _) = await FailureOf(() => Plugin.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Timeout));
        Assert.That(gone, Is.EqualTo(404));
    }

    [Test]
    public async Task APodOnANodeTerminatesGracefullyUntilTheKubeletDeletesIt()
    {
        var ns = await NewNamespaceAsync();
        var pod = Pod("graceful");
        pod.Spec.NodeName = "node-1";
        pod.Spec.TerminationGracePeriodSeconds = 20;
        await Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);
        await Plugin.CoreV1.DeleteNamespacedPodAsync("graceful", ns, cancellationToken: Timeout);

        var terminating = await Plugin.CoreV1.ReadNamespacedPodAsync("graceful", ns, cancellationToken: Timeout);
        Assert.That(terminating.Metadata.DeletionGracePeriodSeconds, Is.EqualTo(20));
        Assert.That(terminating.Metadata.DeletionTimestamp, Is.GreaterThan(DateTime.UtcNow.AddSeconds(15)));

        var pods = new AiConformance.ClusterSim.Store.ResourceKind("", "v1", "Pod", "pods", true);
        Server.Store.Delete(pods, ns, "graceful");
        var (code, _) = await FailureOf(() => Plugin.CoreV1.ReadNamespacedPodAsync("graceful", ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(404), "the kubelet's delete with grace 0 removes it");
    }

    [Test]
    public async Task AnUnscheduledPodOrAZeroGracePeriodDeletesAtOnce()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("unscheduled"), ns, cancellationToken: Timeout);
        var bound = Pod("forced");
        bound.Spec.NodeName = "node-1";
        await Admin.CoreV1.CreateNamespacedPodAsync(bound, ns, cancellationToken: Timeout);
        await Plugin.CoreV1.DeleteNamespacedPodAsync("unscheduled", ns, cancellationToken: Timeout);
        await Plugin.CoreV1.DeleteNamespacedPodAsync("forced", ns, gracePeriodSeconds: 0, cancellationToken: Timeout);
        Assert.That((await Plugin.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Timeout)).Items, Is.Empty);
    }

    [Test]
    public async Task SystemNamespacesMayNotBeDeleted()
    {
        var (code, status) = await FailureOf(() => Admin.CoreV1.DeleteNamespaceAsync("kube-system", cancellationToken: Timeout));
        Assert.That((code, status!.Message), Is.EqualTo((403, "namespaces \"kube-system\" is forbidden: this namespace may not be deleted")));
    }

    private async Task<(string Ns, V1ConfigMap Owner)> OwnerWithDependentAsync(string? dependentFinalizer = null)
    {
        var ns = await NewNamespaceAsync();
        var owner = await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("owner"), ns, cancellationToken: Timeout);
        var dependent = Pod("dependent");
        dependent.Metadata.OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, BlockOwnerDeletion = true }];
        if (dependentFinalizer is not null) dependent.Metadata.Finalizers = [dependentFinalizer];
        await Admin.CoreV1.CreateNamespacedPodAsync(dependent, ns, cancellationToken: Timeout);
        return (ns, owner);
    }
}
