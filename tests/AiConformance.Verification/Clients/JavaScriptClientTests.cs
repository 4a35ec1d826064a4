using k8s;
using NUnit.Framework;

namespace AiConformance.Verification.Clients;

/// <summary>
/// The JavaScript client from npm (<c>@kubernetes/client-node</c>) against the simulated cluster: list, and a watch
/// that sees a change. Skipped where node or the package is absent (<c>.ci/run</c> installs it into
/// <c>AI_CONFORMANCE_NODE_MODULES</c>, default <c>~/.cache/ai-conformance/node/node_modules</c>).
/// </summary>
public sealed class JavaScriptClientTests : RealClientFixture
{
    private const string Script = """
        import * as k8s from '@kubernetes/client-node';

        const [kubeconfig, ns] = process.argv.slice(2);
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(kubeconfig);
        const core = kc.makeApiClient(k8s.CoreV1Api);
        const labelSelector = 'made-by=client-test';
        const listed = await core.listNamespacedConfigMap({ namespace: ns, labelSelector });
        console.log('listed', listed.items.map(i => i.metadata.name).sort().join(','));
        const seen = new Promise((resolve, reject) => {
          new k8s.Watch(kc).watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: listed.metadata.resourceVersion, labelSelector },
            (type, obj) => { console.log('event', type, obj.metadata.name); resolve(); },
            err => err ? reject(err) : undefined)
            .then(() => core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'js', labels: { 'made-by': 'client-test' } } } }), reject);
        });
        await seen;
        process.exit(0);
        """;

    private string modules = "";

    [OneTimeSetUp]
    public void RequireTheJavaScriptClient()
    {
        if (ClientProcess.Find("node") is null) Assert.Ignore("node is not installed; the JavaScript client tests need node and @kubernetes/client-node");
        modules = Environment.GetEnvironmentVariable("AI_CONFORMANCE_NODE_MODULES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "ai-conformance", "node", "node_modules");
        if (!Directory.Exists(Path.Combine(modules, "@kubernetes", "client-node")))
            Assert.Ignore($"@kubernetes/client-node is not installed in {modules} (.ci/run installs it with npm); skipping the JavaScript client tests");
    }

    [Test]
    public async Task ListAndWatch()
    {
        var ns = await NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap { Metadata = new k8s.Models.V1ObjectMeta { Name = "before", Labels = new Dictionary<string, string> { ["made-by"] = "client-test" } } }, ns, cancellationToken: Timeout);
        // An ES module resolves packages from its own folder upwards: the script lies beside node_modules.
        var script = Path.Combine(Path.GetDirectoryName(modules)!, $"client-{Guid.NewGuid():N}.mjs");
        await File.WriteAllTextAsync(script, Script);
        try
        {
            var (code, output, errors) = await ClientProcess.RunAsync("node", [script, Kubeconfig, ns]);
            Assert.That(code, Is.Zero, errors);
            Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "listed before", "event ADDED js" }), errors);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
