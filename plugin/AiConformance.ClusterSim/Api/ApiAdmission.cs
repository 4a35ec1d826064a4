using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;
using AiConformance.ClusterSim.Validation;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The registry strategies of the simulated server, applied to every write whoever makes it: defaults, schema
/// validation (unknown fields become fidelity violations and are dropped), built-in rules, and CRD establishment.
/// </summary>
public sealed class ApiAdmission(ResourceCatalog catalog, SchemaValidator validator) : IStoreAdmission
{
    private readonly Defaults _defaults = new();

    /// <summary>The store admission plugins read from (priority classes); set once the store exists.</summary>
    public IClusterStore? Store { get; set; }

    public bool HasStatusSubresource(ResourceKind kind) =>
        catalog.Find(kind.Group, kind.Version, kind.Plural)?.HasStatus
        ?? catalog.ByGroupPlural(kind.Group, kind.Plural) is { } preferred && catalog.Find(preferred.Group, preferred.Version, preferred.Plural)!.HasStatus;

    public bool SetsGeneration(ResourceKind kind) =>
        catalog.Find(kind.Group, kind.Version, kind.Plural) is { IsCustomResource: true } || RegistryStrategies.SetsGeneration(kind);

    public void Admit(ResourceKind kind, JsonObject obj, JsonObject? old)
    {
        var info = catalog.Find(kind.Group, kind.Version, kind.Plural);
        if (old is null && Store is not null && kind is { Group: "", Plural: "pods" })
        {
            PriorityAdmission.Admit(Store, obj);
            RuntimeClassAdmission.Admit(Store, obj);
            ServiceAccountAdmission.Admit(Store, obj);
        }
        if (kind is { Group: "", Plural: "services" }) ServiceAdmission.Admit(Store, obj, old);
        _defaults.Apply(kind, obj, old);
        if (old is null) RegistryStrategies.FillInitialStatus(kind, obj);
        var errors = new List<FieldError>();
        if (info is not null) validator.Validate(info, obj, errors);
        BuiltInRules.Check(kind, obj, old, errors);
        if (errors.Count > 0) throw StatusException.Invalid(kind, obj.Name(), errors);
        if (kind.Group == ResourceCatalog.CustomResourceDefinitions.Group && kind.Plural == ResourceCatalog.CustomResourceDefinitions.Plural)
            Establish(obj, old);
    }

    /// <summary>The apiextensions controllers accept the names and establish the CRD at once.</summary>
    private static void Establish(JsonObject crd, JsonObject? old)
    {
        if (old?["status"] is JsonObject established && JsonNode.DeepEquals(old["spec"], crd["spec"]))
        {
            crd["status"] = established.DeepClone();
            return;
        }
        var now = ObjectMeta.Timestamp(DateTimeOffset.UtcNow);
        JsonObject Condition(string type, string reason, string message) => new()
        {
            ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
        };
        var names = crd["spec"]?["names"]?.DeepClone() as JsonObject ?? [];
        crd["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted")),
            ["acceptedNames"] = names,
            ["storedVersions"] = new JsonArray(((crd["spec"]?["versions"] as JsonArray) ?? [])
                .OfType<JsonObject>().Where(v => v["storage"]?.GetValue<bool>() == true)
                .Select(v => (JsonNode?)v.Str("name")).ToArray()),
        };
    }
}
