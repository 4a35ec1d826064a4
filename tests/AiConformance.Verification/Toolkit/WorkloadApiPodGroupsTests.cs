using System.Text.Json.Nodes;
using AiConformance.ClusterSim.OpenApi;
using AiConformance.Suite.Framework.Gangs;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>
/// The PodGroup the Workload API gang driver creates names its Workload's template as each served version spells it:
/// v1alpha2 as Kubernetes 1.36's published schema has it, v1alpha3 as the client library's typed model has it.
/// </summary>
public sealed class WorkloadApiPodGroupsTests
{
    [Test]
    public void TheV1Alpha2PodGroupUsesOnlyFieldsOfKubernetes136Schema()
    {
        var spec = new WorkloadApiPodGroups("v1alpha2").PodGroupSpec("group", 3, null!);
        var definitions = (JsonObject)SwaggerDocuments.For("v1.36")["definitions"]!;
        AssertKnown(spec, definitions, "io.k8s.api.scheduling.v1alpha2.PodGroupSpec");
        Assert.Multiple(() =>
        {
            Assert.That((int?)spec["schedulingPolicy"]?["gang"]?["minCount"], Is.EqualTo(3));
            Assert.That((string?)spec["podGroupTemplateRef"]?["workload"]?["workloadName"], Is.EqualTo("group"));
            Assert.That((string?)spec["podGroupTemplateRef"]?["workload"]?["podGroupTemplateName"], Is.EqualTo(WorkloadApiPodGroups.TemplateName));
        });
    }

    [Test]
    public void TheV1Alpha3PodGroupReadsAsTheTypedModel()
    {
        var spec = new WorkloadApiPodGroups("v1alpha3").PodGroupSpec("group", 3, null!);
        var typed = KubernetesJson.Deserialize<V1alpha3PodGroupSpec>(spec.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(typed.SchedulingPolicy?.Gang?.MinCount, Is.EqualTo(3));
            Assert.That(typed.WorkloadRef?.WorkloadName, Is.EqualTo("group"));
            Assert.That(typed.WorkloadRef?.TemplateName, Is.EqualTo(WorkloadApiPodGroups.TemplateName));
            Assert.That(JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(typed)), spec), Is.True, "no field the model does not know");
        });
    }

    /// <summary>Every key of <paramref name="value"/> is a property of the swagger definition, recursively.</summary>
    private static void AssertKnown(JsonObject value, JsonObject definitions, string definition)
    {
        var properties = (JsonObject)definitions[definition]!["properties"]!;
        foreach (var (key, child) in value)
        {
            Assert.That(properties.ContainsKey(key), $"{definition} has no field {key}");
            if (child is JsonObject nested && (string?)properties[key]!["$ref"] is { } reference)
                AssertKnown(nested, definitions, reference["#/definitions/".Length..]);
        }
    }
}
