using System.Text.Json;
using AiConformance.ClusterSim.Server;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>CustomResourceDefinitions: established, discovered, served and validated by their schema.</summary>
public sealed class CustomResourceTests : FidelityFixture
{
    protected override SimulatedApiServerOptions Options => new() { EmbeddedCrdFolders = ["kueue-v0.19.2"] };

    private static V1CustomResourceDefinition Widgets() => new()
    {
        Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = "example.com",
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Singular = "widget", Kind = "Widget", ShortNames = ["wg"] },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1", Served = true, Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new object() },
                    Schema = new V1CustomResourceValidation
                    {
                        OpenAPIV3Schema = new V1JSONSchemaProps
                        {
                            Type = "object",
                            Properties = new Dictionary<string, V1JSONSchemaProps>
                            {
                                ["spec"] = new()
                                {
                                    Type = "object",
                                    Required = ["size"],
                                    Properties = new Dictionary<string, V1JSONSchemaProps>
                                    {
                                        ["size"] = new() { Type = "integer" },
                                        ["extra"] = new() { Type = "object", XKubernetesPreserveUnknownFields = true },
                                    },
                                },
                                ["status"] = new() { Type = "object", Properties = new Dictionary<string, V1JSONSchemaProps> { ["ready"] = new() { Type = "boolean" } } },
                            },
                        },
                    },
                },
            ],
        },
    };

    [OneTimeSetUp]
    public async Task CreateWidgetsAsync() =>
        await Admin.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Widgets(), cancellationToken: Timeout);

    [Test]
    public async Task ACreatedCrdIsEstablishedAndDiscovered()
    {
        var crd = await Plugin.ApiextensionsV1.ReadCustomResourceDefinitionAsync("widgets.example.com", cancellationToken: Timeout);
        Assert.That(crd.Status.Conditions.Single(c => c.Type == "Established").Status, Is.EqualTo("True"));
        using var http = Server.CreateHttpClient();
        var resources = await http.GetStringAsync("/apis/example.com/v1", Timeout);
        Assert.That(resources, Does.Contain("\"name\":\"widgets\"").And.Contain("\"name\":\"widgets/status\""));
        var groups = await http.GetStringAsync("/apis", Timeout);
        Assert.That(groups, Does.Contain("\"name\":\"example.com\""));
    }

    [Test]
    public async Task CustomObjectsAreServedAndTheirSchemaIsEnforced()
    {
        var ns = await NewNamespaceAsync();
        var widget = new Dictionary<string, object>
        {
            ["apiVersion"] = "example.com/v1",
            ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "w" },
            ["spec"] = new Dictionary<string, object> { ["size"] = 3, ["extra"] = new Dictionary<string, object> { ["anything"] = "kept" }, ["colour"] = "red" },
        };
        var before = Server.FidelityViolations.Count;
        await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(widget, "example.com", "v1", ns, "widgets", cancellationToken: Timeout);
        var stored = (JsonElement)await Admin.CustomObjects.GetNamespacedCustomObjectAsync("example.com", "v1", ns, "widgets", "w", cancellationToken: Timeout);
        Assert.That(stored.GetProperty("spec").GetProperty("extra").GetProperty("anything").GetString(), Is.EqualTo("kept"));
        Assert.That(stored.GetProperty("spec").TryGetProperty("colour", out _), Is.False, "an unknown field is pruned");
        Assert.That(Server.FidelityViolations.Skip(before).Single().Field, Is.EqualTo("spec.colour"));

        var wrong = new Dictionary<string, object>
        {
            ["apiVersion"] = "example.com/v1", ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "bad" },
            ["spec"] = new Dictionary<string, object> { ["size"] = "big" },
        };
        var (code, status) = await FailureOf(() => Admin.CustomObjects.CreateNamespacedCustomObjectAsync(wrong, "example.com", "v1", ns, "widgets", cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(422));
        Assert.That(status!.Message, Does.StartWith("Widget.example.com \"bad\" is invalid: spec.size: Invalid value: \"string\": spec.size in body must be of type integer"));

        var missing = new Dictionary<string, object>
        {
            ["apiVersion"] = "example.com/v1", ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "empty" },
            ["spec"] = new Dictionary<string, object>(),
        };
        var (missingCode, missingStatus) = await FailureOf(() => Admin.CustomObjects.CreateNamespacedCustomObjectAsync(missing, "example.com", "v1", ns, "widgets", cancellationToken: Timeout));
        Assert.That(missingCode, Is.EqualTo(422));
        Assert.That(missingStatus!.Details.Causes.Single().Field, Is.EqualTo("spec.size"));
    }

    [Test]
    public async Task StatusSentOnCreateIsDroppedAndWrittenThroughTheSubresource()
    {
        var ns = await NewNamespaceAsync();
        var widget = new Dictionary<string, object>
        {
            ["apiVersion"] = "example.com/v1", ["kind"] = "Widget",
            ["metadata"] = new Dictionary<string, object> { ["name"] = "s" },
            ["spec"] = new Dictionary<string, object> { ["size"] = 1 },
            ["status"] = new Dictionary<string, object> { ["ready"] = true },
        };
        var created = (JsonElement)await Admin.CustomObjects.CreateNamespacedCustomObjectAsync(widget, "example.com", "v1", ns, "widgets", cancellationToken: Timeout);
        Assert.That(created.TryGetProperty("status", out _), Is.False);
        var patched = (JsonElement)await Admin.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("{\"status\":{\"ready\":true}}", V1Patch.PatchType.MergePatch), "example.com", "v1", ns, "widgets", "s", cancellationToken: Timeout);
        Assert.That(patched.GetProperty("status").GetProperty("ready").GetBoolean(), Is.True);
    }

    [Test]
    public async Task EmbeddedCrdsAreInstalledAtStart()
    {
        var crds = await Plugin.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: Timeout);
        Assert.That(crds.Items.Select(c => c.Metadata.Name), Does.Contain("clusterqueues.kueue.x-k8s.io").And.Contain("workloads.kueue.x-k8s.io"));
        Assert.That(Server.ResourceCatalog.ByGroupPlural("kueue.x-k8s.io", "localqueues")?.Version, Is.EqualTo("v1beta2"));
    }
}
