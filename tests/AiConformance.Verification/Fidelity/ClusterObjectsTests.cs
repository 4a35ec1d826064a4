using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Server;
using AiConformance.Suite.Framework;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>The Suite's one generic way to work with a kind, against the simulated API server with the real client.</summary>
public sealed class ClusterObjectsTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new() { EmbeddedCrdFolders = ["kueue-v0.19.2"] };

    /// <summary>A custom resource costs only its model: here Kueue's cluster-scoped ResourceFlavor.</summary>
    [KubernetesEntity(Group = "kueue.x-k8s.io", ApiVersion = "v1beta1", Kind = "ResourceFlavor", PluralName = "resourceflavors")]
    public sealed class ResourceFlavor : IKubernetesObject<V1ObjectMeta>
    {
        public string ApiVersion { get; set; } = null!;
        public string Kind { get; set; } = null!;
        public V1ObjectMeta Metadata { get; set; } = new();
        public JsonObject? Spec { get; set; }
    }

    [Test]
    public async Task ANamespacedCoreKindIsCreatedListedWatchedAndDeleted()
    {
        var ns = await NewNamespaceAsync();
        var objects = new ClusterObjects<V1ConfigMap>(Admin, ns);

        var created = await objects.CreateAsync(ConfigMap("settings", new V1ObjectMeta { Name = "settings", Labels = new Dictionary<string, string> { ["app"] = "x" } }), Timeout);
        var (listed, resourceVersion) = await objects.ListAsync("app=x", null, Timeout);
        var seen = new List<(WatchEventType, string)>();
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var watch = Task.Run(async () =>
        {
            await foreach (var (type, item) in objects.WatchAsync(null, "metadata.name=settings", resourceVersion, 20, _ => { }, watching.Token))
            {
                seen.Add((type, item.Metadata.Name));
                if (type == WatchEventType.Deleted) return;
            }
        });
        await objects.DeleteAsync("settings", Timeout);
        await watch;

        Assert.Multiple(async () =>
        {
            Assert.That(created.Metadata.Uid, Is.Not.Empty);
            Assert.That(listed.Select(item => item.Metadata.Name), Is.EqualTo(new[] { "settings" }));
            Assert.That(seen, Does.Contain((WatchEventType.Deleted, "settings")));
            Assert.That(await objects.GetAsync("settings", Timeout), Is.Null);
        });
    }

    [Test]
    public async Task AClusterScopedKindOfANamedGroupWorksTheSameWay()
    {
        var objects = new ClusterObjects<V1PriorityClass>(Admin, null);

        await objects.CreateAsync(new V1PriorityClass { Metadata = new V1ObjectMeta { Name = "objects-test" }, Value = 1000 }, Timeout);
        var read = await objects.GetAsync("objects-test", Timeout);
        await objects.DeleteAsync("objects-test", Timeout);

        Assert.Multiple(async () =>
        {
            Assert.That(read?.Value, Is.EqualTo(1000));
            Assert.That(read?.ApiVersion, Is.EqualTo("scheduling.k8s.io/v1"));
            Assert.That(await objects.GetAsync("objects-test", Timeout), Is.Null);
        });
    }

    [Test]
    public async Task ATestNamespaceLabelsWhatItCreatesAndDeletesItsClusterScopedObjects()
    {
        var run = new RunContext
        {
            Kubernetes = Admin, RunId = RunContext.NewRunId(), Checklist = AiConformance.Checklist.ChecklistCatalog.Newest,
            Configuration = SuiteConfiguration.Empty, Cancellation = Timeout,
        };
        V1ConfigMap settings;
        ResourceFlavor flavor;
        await using (var ns = await TestNamespace.CreateAsync("objects", run))
        {
            settings = await ns.CreateAsync(ConfigMap("settings"));
            flavor = await ns.CreateClusterScopedAsync(new ResourceFlavor { Metadata = new V1ObjectMeta { GenerateName = "objects-" } });
        }

        Assert.Multiple(async () =>
        {
            Assert.That(settings.Metadata.Labels[RunContext.RunLabel], Is.EqualTo(run.RunId));
            Assert.That(flavor.Metadata.Labels[RunContext.RunLabel], Is.EqualTo(run.RunId));
            Assert.That(await new ClusterObjects<ResourceFlavor>(Admin, null).GetAsync(flavor.Metadata.Name, Timeout), Is.Null,
                "the cluster-scoped object outlived its test");
        });
    }

    [Test]
    public async Task ACustomResourceNeedsOnlyItsModel()
    {
        var objects = new ClusterObjects<ResourceFlavor>(Admin, null);

        await objects.CreateAsync(new ResourceFlavor
        {
            Metadata = new V1ObjectMeta { Name = "objects-flavor" },
            Spec = new JsonObject { ["nodeLabels"] = new JsonObject { ["pool"] = "gpu" } },
        }, Timeout);
        var (items, _) = await objects.ListAsync(null, "metadata.name=objects-flavor", Timeout);
        await objects.DeleteAsync("objects-flavor", Timeout);
        await objects.DeleteAsync("objects-flavor", Timeout); // gone already: not an error

        Assert.That(items.Single().Spec?["nodeLabels"]?["pool"]?.GetValue<string>(), Is.EqualTo("gpu"));
    }
}
