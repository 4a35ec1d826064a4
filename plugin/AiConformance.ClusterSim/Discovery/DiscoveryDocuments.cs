using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;

namespace AiConformance.ClusterSim.Discovery;

/// <summary>
/// The discovery documents: legacy (<c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/{g}/{v}</c>) and aggregated
/// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList, when the client's Accept asks for it, as kubectl does), and <c>/version</c>.
/// </summary>
public sealed class DiscoveryDocuments(ResourceCatalog catalog, string serverAddress)
{
    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    public static bool WantsAggregated(string? accept) =>
        accept is not null && accept.Contains("as=APIGroupDiscoveryList", StringComparison.Ordinal)
        && accept.Split(',')[0].Contains("v=v2", StringComparison.Ordinal);

    public JsonObject Version()
    {
        var minor = catalog.KubernetesVersion.Split('.')[1];
        return new JsonObject
        {
            ["major"] = "1",
            ["minor"] = minor,
            ["emulationMajor"] = "1",
            ["emulationMinor"] = minor,
            ["gitVersion"] = catalog.KubernetesVersion + ".0" + SimulatedVersion.BuildMetadata,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z",
            ["goVersion"] = "go1.25.0",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    public JsonObject CoreVersions() => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var (group, versions) in catalog.Groups().Where(g => g.Group.Length > 0)) groups.Add(Group(group, versions));
        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public JsonObject? GroupDocument(string group)
    {
        var match = catalog.Groups().FirstOrDefault(g => g.Group == group);
        return match.Versions is null ? null : Group(group, match.Versions);
    }

    public JsonObject? ResourceList(string group, string version)
    {
        var resources = catalog.All.Where(r => r.Kind.Group == group && r.Kind.Version == version).ToList();
        if (resources.Count == 0) return null;
        var list = new JsonArray();
        foreach (var r in resources)
        {
            var entry = new JsonObject
            {
                ["name"] = r.Kind.Plural,
                ["singularName"] = r.Singular,
                ["namespaced"] = r.Kind.Namespaced,
                ["kind"] = r.Kind.Kind,
                ["verbs"] = Strings(r.Verbs),
            };
            if (r.ShortNames.Count > 0) entry["shortNames"] = Strings(r.ShortNames);
            if (r.Categories.Count > 0) entry["categories"] = Strings(r.Categories);
            list.Add(entry);
            foreach (var sub in r.Subresources.Values)
            {
                var subEntry = new JsonObject
                {
                    ["name"] = $"{r.Kind.Plural}/{sub.Name}",
                    ["singularName"] = "",
                    ["namespaced"] = r.Kind.Namespaced,
                    ["kind"] = sub.Kind,
                    ["verbs"] = Strings(sub.Verbs),
                };
                if (sub.Group != group || sub.Version != version)
                {
                    subEntry["group"] = sub.Group;
                    subEntry["version"] = sub.Version;
                }
                list.Add(subEntry);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = list,
        };
    }

    /// <summary>The aggregated document: the core group for <c>/api</c>, every named group for <c>/apis</c>.</summary>
    public JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        foreach (var (group, versions) in catalog.Groups().Where(g => (g.Group.Length == 0) == core))
        {
            var versionList = new JsonArray();
            foreach (var version in versions)
            {
                var resources = new JsonArray();
                foreach (var r in catalog.All.Where(r => r.Kind.Group == group && r.Kind.Version == version))
                {
                    var entry = new JsonObject
                    {
                        ["resource"] = r.Kind.Plural,
                        ["responseKind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = r.Kind.Kind },
                        ["scope"] = r.Kind.Namespaced ? "Namespaced" : "Cluster",
                        ["singularResource"] = r.Singular,
                        ["verbs"] = Strings(r.Verbs),
                    };
                    if (r.ShortNames.Count > 0) entry["shortNames"] = Strings(r.ShortNames);
                    if (r.Categories.Count > 0) entry["categories"] = Strings(r.Categories);
                    if (r.Subresources.Count > 0)
                        entry["subresources"] = new JsonArray(r.Subresources.Values.Select(s => (JsonNode?)new JsonObject
                        {
                            ["subresource"] = s.Name,
                            ["responseKind"] = new JsonObject { ["group"] = s.Group, ["version"] = s.Version, ["kind"] = s.Kind },
                            ["verbs"] = Strings(s.Verbs),
                        }).ToArray());
                    resources.Add(entry);
                }
                versionList.Add(new JsonObject { ["version"] = version, ["resources"] = resources, ["freshness"] = "Current" });
            }
            items.Add(new JsonObject { ["metadata"] = new JsonObject { ["name"] = group }, ["versions"] = versionList });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }

    private static JsonObject Group(string group, IReadOnlyList<string> versions)
    {
        JsonObject Entry(string v) => new() { ["groupVersion"] = $"{group}/{v}", ["version"] = v };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(versions.Select(v => (JsonNode?)Entry(v)).ToArray()),
            ["preferredVersion"] = Entry(versions[0]),
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}
