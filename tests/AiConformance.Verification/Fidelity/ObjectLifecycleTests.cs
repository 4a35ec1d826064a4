using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>Create, read, list and update as the real API server answers them.</summary>
public sealed class ObjectLifecycleTests : FidelityFixture
{
    [Test]
    public async Task CreatedPodGetsSystemFieldsAndApiServerDefaults()
    {
        var ns = await NewNamespaceAsync();
        var pod = Pod("defaults");
        pod.Spec.Containers[0].Image = "busybox";
        var created = await Plugin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);
        Assert.Multiple(() =>
        {
            Assert.That(created.Metadata.Uid, Is.Not.Empty);
            Assert.That(long.Parse(created.Metadata.ResourceVersion), Is.GreaterThan(0));
            Assert.That(created.Metadata.CreationTimestamp, Is.Not.Null);
            Assert.That(created.Spec.RestartPolicy, Is.EqualTo("Always"));
            Assert.That(created.Spec.DnsPolicy, Is.EqualTo("ClusterFirst"));
            Assert.That(created.Spec.SchedulerName, Is.EqualTo("default-scheduler"));
            Assert.That(created.Spec.TerminationGracePeriodSeconds, Is.EqualTo(30));
            Assert.That(created.Spec.ServiceAccountName, Is.EqualTo("default"));
            Assert.That((created.Spec.Priority, created.Spec.PreemptionPolicy), Is.EqualTo((0, "PreemptLowerPriority")));
            Assert.That(created.Spec.Containers[0].ImagePullPolicy, Is.EqualTo("Always"), "an untagged image is pulled always");
            Assert.That(created.Spec.Containers[0].TerminationMessagePath, Is.EqualTo("/dev/termination-log"));
            Assert.That(created.Status.Phase, Is.EqualTo("Pending"));
            Assert.That(created.Spec.Volumes.Single().Name, Does.StartWith("kube-api-access-"));
            Assert.That(created.Spec.Containers[0].VolumeMounts.Single().MountPath, Is.EqualTo("/var/run/secrets/kubernetes.io/serviceaccount"));
        });
    }

    [Test]
    public async Task PriorityComesFromThePriorityClassAndAnUnknownClassIsForbidden()
    {
        var ns = await NewNamespaceAsync();
        await Admin.SchedulingV1.CreatePriorityClassAsync(new V1PriorityClass
        {
            Metadata = new V1ObjectMeta { Name = ns + "-high" }, Value = 1000, PreemptionPolicy = "Never",
        }, cancellationToken: Timeout);
        var pod = Pod("prioritized");
        pod.Spec.PriorityClassName = ns + "-high";
        var created = await Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);
        Assert.That((created.Spec.Priority, created.Spec.PreemptionPolicy), Is.EqualTo((1000, "Never")));
        var critical = Pod("critical");
        critical.Spec.PriorityClassName = "system-node-critical";
        Assert.That((await Admin.CoreV1.CreateNamespacedPodAsync(critical, ns, cancellationToken: Timeout)).Spec.Priority, Is.EqualTo(2_000_001_000));

        var unknown = Pod("unknown");
        unknown.Spec.PriorityClassName = "no-such-class";
        var (code, status) = await FailureOf(() => Admin.CoreV1.CreateNamespacedPodAsync(unknown, ns, cancellationToken: Timeout));
        Assert.That((code, status!.Message), Is.EqualTo((403, "pods \"unknown\" is forbidden: no PriorityClass with name no-such-class was found")));
    }

    [Test]
    public async Task ARuntimeClassAddsItsSchedulingAndAnUnknownOneIsForbidden()
    {
        var ns = await NewNamespaceAsync();
        await Admin.NodeV1.CreateRuntimeClassAsync(new V1RuntimeClass
        {
            Metadata = new V1ObjectMeta { Name = ns + "-sandboxed" },
            Handler = "kata",
            Scheduling = new V1Scheduling { NodeSelector = new Dictionary<string, string> { ["sandbox"] = "kata" } },
        }, cancellationToken: Timeout);
        var pod = Pod("sandboxed");
        pod.Spec.RuntimeClassName = ns + "-sandboxed";
        var created = await Admin.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Timeout);
        Assert.That(created.Spec.NodeSelector["sandbox"], Is.EqualTo("kata"));

        var unknown = Pod("unknown-runtime");
        unknown.Spec.RuntimeClassName = "no-such-runtime";
        var (code, status) = await FailureOf(() => Admin.CoreV1.CreateNamespacedPodAsync(unknown, ns, cancellationToken: Timeout));
        Assert.That((code, status!.Message), Is.EqualTo((403, "pods \"unknown-runtime\" is forbidden: pod rejected: RuntimeClass \"no-such-runtime\" not found")));
    }

    [Test]
    public async Task WorkloadKindsGetTheirDefaults()
    {
        var ns = await NewNamespaceAsync();
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "w" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "c:1" }] },
        };
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "w" } };
        var set = await Admin.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "s" }, Spec = new V1StatefulSetSpec { Selector = selector, Template = template, ServiceName = "s" },
        }, ns, cancellationToken: Timeout);
        var hpa = await Admin.AutoscalingV2.CreateNamespacedHorizontalPodAutoscalerAsync(new V2HorizontalPodAutoscaler
        {
            Metadata = new V1ObjectMeta { Name = "h" },
            Spec = new V2HorizontalPodAutoscalerSpec { MaxReplicas = 3, ScaleTargetRef = new V2CrossVersionObjectReference { Kind = "StatefulSet", Name = "s", ApiVersion = "apps/v1" } },
        }, ns, cancellationToken: Timeout);
        Assert.Multiple(() =>
        {
            Assert.That((set.Spec.Replicas, set.Spec.PodManagementPolicy, set.Spec.UpdateStrategy.Type), Is.EqualTo((1, "OrderedReady", "RollingUpdate")));
            Assert.That(set.Spec.Template.Spec.RestartPolicy, Is.EqualTo("Always"));
            Assert.That(set.Spec.Template.Spec.Priority, Is.Null, "templates get no priority; the Priority admission sets it on pods");
            Assert.That(hpa.Spec.MinReplicas, Is.EqualTo(1));
            Assert.That(hpa.Spec.Metrics.Single().Resource.Target.AverageUtilization, Is.EqualTo(80));
        });
    }

    [Test]
    public async Task GenerateNameProducesDistinctNamesWithThePrefix()
    {
        var ns = await NewNamespaceAsync();
        var first = await Plugin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("", new V1ObjectMeta { GenerateName = "gen-" }), ns, cancellationToken: Timeout);
        var second = await Plugin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("", new V1ObjectMeta { GenerateName = "gen-" }), ns, cancellationToken: Timeout);
        Assert.That(first.Metadata.Name, Does.StartWith("gen-").And.Length.EqualTo(9));
        Assert.That(second.Metadata.Name, Is.Not.EqualTo(first.Metadata.Name));
    }

    [Test]
    public async Task ListHonoursEqualitySetBasedAndFieldSelectors()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("a", new Dictionary<string, string> { ["tier"] = "web", ["env"] = "prod" }), ns, cancellationToken: Timeout);
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("b", new Dictionary<string, string> { ["tier"] = "db", ["env"] = "prod" }), ns, cancellationToken: Timeout);
        await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("c", new Dictionary<string, string> { ["tier"] = "web" }), ns, cancellationToken: Timeout);

        async Task<string[]> Names(string? labels = null, string? fields = null) =>
            (await Plugin.CoreV1.ListNamespacedPodAsync(ns, labelSelector: labels, fieldSelector: fields, cancellationToken: Timeout))
            .Items.Select(p => p.Metadata.Name).ToArray();

        Assert.Multiple(async () =>
        {
            Assert.That(await Names("tier=web"), Is.EqualTo(new[] { "a", "c" }));
            Assert.That(await Names("tier in (web,db),env"), Is.EqualTo(new[] { "a", "b" }));
            Assert.That(await Names("tier notin (web),!missing"), Is.EqualTo(new[] { "b" }));
            Assert.That(await Names("!env"), Is.EqualTo(new[] { "c" }));
            Assert.That(await Names(fields: "metadata.name=b"), Is.EqualTo(new[] { "b" }));
            Assert.That(await Names(fields: "status.phase=Pending,metadata.name!=a"), Is.EqualTo(new[] { "b", "c" }));
        });
    }

    [Test]
    public async Task ListPagesWithLimitAndContinue()
    {
        var ns = await NewNamespaceAsync();
        foreach (var name in new[] { "p1", "p2", "p3" })
            await Plugin.CoreV1.CreateNamespacedPodAsync(Pod(name), ns, cancellationToken: Timeout);
        var first = await Plugin.CoreV1.ListNamespacedPodAsync(ns, limit: 2, cancellationToken: Timeout);
        var rest = await Plugin.CoreV1.ListNamespacedPodAsync(ns, limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Timeout);
        Assert.That(first.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "p1", "p2" }));
        Assert.That(first.Metadata.RemainingItemCount, Is.EqualTo(1));
        Assert.That(rest.Items.Select(p => p.Metadata.Name), Is.EqualTo(new[] { "p3" }));
        Assert.That(rest.Metadata.ContinueProperty, Is.Null.Or.Empty);
    }

    [Test]
    public async Task ConflictsAreAlreadyExistsAndStaleResourceVersion()
    {
        var ns = await NewNamespaceAsync();
        var created = await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns, cancellationToken: Timeout);
        var (existsCode, exists) = await FailureOf(() => Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("cm"), ns, cancellationToken: Timeout));
        Assert.That(existsCode, Is.EqualTo(409));
        Assert.That(exists!.Reason, Is.EqualTo("AlreadyExists"));
        Assert.That(exists.Message, Is.EqualTo("configmaps \"cm\" already exists"));

        created.Data["k"] = "first";
        var updated = await Admin.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", ns, cancellationToken: Timeout);
        Assert.That(updated.Metadata.ResourceVersion, Is.Not.EqualTo(created.Metadata.ResourceVersion));
        created.Data["k"] = "stale";
        var (conflictCode, conflict) = await FailureOf(() => Admin.CoreV1.ReplaceNamespacedConfigMapAsync(created, "cm", ns, cancellationToken: Timeout));
        Assert.That(conflictCode, Is.EqualTo(409));
        Assert.That(conflict!.Reason, Is.EqualTo("Conflict"));
        Assert.That(conflict.Message, Does.StartWith("Operation cannot be fulfilled on configmaps \"cm\": the object has been modified"));
    }

    [Test]
    public async Task MissingObjectsAndNamespacesAreNotFound()
    {
        var ns = await NewNamespaceAsync();
        var (code, status) = await FailureOf(() => Plugin.CoreV1.ReadNamespacedPodAsync("absent", ns, cancellationToken: Timeout));
        Assert.That((code, status!.Reason, status.Message), Is.EqualTo((404, "NotFound", "pods \"absent\" not found")));
        var (nsCode, nsStatus) = await FailureOf(() => Plugin.CoreV1.CreateNamespacedPodAsync(Pod("p"), "no-such-namespace", cancellationToken: Timeout));
        Assert.That((nsCode, nsStatus!.Message), Is.EqualTo((404, "namespaces \"no-such-namespace\" not found")));
    }

    [Test]
    public async Task InvalidNameIsRefusedWithCauses()
    {
        var ns = await NewNamespaceAsync();
        var (code, status) = await FailureOf(() => Plugin.CoreV1.CreateNamespacedPodAsync(Pod("Not_Valid"), ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(422));
        Assert.That(status!.Reason, Is.EqualTo("Invalid"));
        Assert.That(status.Message, Does.StartWith("Pod \"Not_Valid\" is invalid: metadata.name: Invalid value: \"Not_Valid\": a lowercase RFC 1123 subdomain"));
        Assert.That(status.Details.Causes.Single().Field, Is.EqualTo("metadata.name"));
    }

    [Test]
    public async Task DeleteCollectionRemovesOnlyTheSelectedObjects()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("keep", new V1ObjectMeta { Labels = new Dictionary<string, string> { ["role"] = "keep" } }), ns, cancellationToken: Timeout);
        await Admin.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("drop", new V1ObjectMeta { Labels = new Dictionary<string, string> { ["role"] = "drop" } }), ns, cancellationToken: Timeout);
        await Admin.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "role=drop", cancellationToken: Timeout);
        var left = await Admin.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Timeout);
        Assert.That(left.Items.Select(c => c.Metadata.Name), Is.EqualTo(new[] { "keep" }));
    }

    [Test]
    public async Task AVerbTheResourceDoesNotServeIsMethodNotAllowed()
    {
        using var http = Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        using var response = await http.PutAsync("/api/v1/componentstatuses/x", new StringContent("{}"), Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(405));
        Assert.That(await response.Content.ReadAsStringAsync(Timeout), Does.Contain("\"reason\":\"MethodNotAllowed\""));
    }

    [Test]
    public async Task StatusSubresourceSeparatesSpecAndStatusWrites()
    {
        var ns = await NewNamespaceAsync();
        var pod = await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("s"), ns, cancellationToken: Timeout);
        pod.Status.Phase = "Running";
        var afterMainPut = await Admin.CoreV1.ReplaceNamespacedPodAsync(pod, "s", ns, cancellationToken: Timeout);
        Assert.That(afterMainPut.Status.Phase, Is.EqualTo("Pending"), "the main resource ignores status");
        afterMainPut.Status.Phase = "Running";
        var afterStatusPut = await Admin.CoreV1.ReplaceNamespacedPodStatusAsync(afterMainPut, "s", ns, cancellationToken: Timeout);
        Assert.That(afterStatusPut.Status.Phase, Is.EqualTo("Running"));
        Assert.That(afterStatusPut.Metadata.Generation, Is.EqualTo(afterMainPut.Metadata.Generation), "status writes do not bump the generation");
    }
}
