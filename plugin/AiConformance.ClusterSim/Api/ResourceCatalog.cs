using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.OpenApi;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The resources the simulated API server serves: the built-in ones of a Kubernetes version, read from its published
/// swagger (paths with <c>x-kubernetes-group-version-kind</c> and <c>x-kubernetes-action</c>), restricted to GA group
/// versions plus the enabled alpha/beta ones, and the versions of every established CustomResourceDefinition.
/// Thread-safe; CRD changes arrive through <see cref="ApplyCrd"/>/<see cref="RemoveCrd"/>.
/// </summary>
public sealed partial class ResourceCatalog
{
    public static readonly ResourceKind CustomResourceDefinitions =
        new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false);

    private static readonly string[] VerbOrder = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    private readonly object _gate = new();
    private readonly List<ResourceInfo> _builtIn;
    private readonly Dictionary<string, List<ResourceInfo>> _crdResources = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<ResourceInfo> _all;

    public ResourceCatalog(string kubernetesVersion, IEnumerable<string>? enabledGroupVersions = null)
    {
        KubernetesVersion = SwaggerDocuments.Normalize(kubernetesVersion);
        Swagger = SwaggerDocuments.For(KubernetesVersion);
        var enabled = new HashSet<string>(enabledGroupVersions ?? [], StringComparer.Ordinal);
        // "-group/version" turns a GA group version off, as --runtime-config=group/version=false does.
        _builtIn = ReadBuiltIns(Swagger, gv => (GaVersion().IsMatch(gv.Split('/').Last()) || enabled.Contains(gv)) && !enabled.Contains("-" + gv));
        _all = _builtIn;
    }

    public string KubernetesVersion { get; }

    /// <summary>The full swagger document of the version (all groups); read-only.</summary>
    public JsonObject Swagger { get; }

    public IReadOnlyList<ResourceInfo> All => _all;

    public ResourceInfo? Find(string group, string version, string plural) =>
        _all.FirstOrDefault(r => r.Kind.Group == group && r.Kind.Version == version && r.Kind.Plural == plural);

    /// <summary>The resource of a kind in a group version (<c>apps/v1</c>, <c>Deployment</c>).</summary>
    public ResourceKind? ByApiVersionKind(string apiVersion, string kind)
    {
        var (group, version) = SplitApiVersion(apiVersion);
        return _all.FirstOrDefault(r => r.Kind.Group == group && r.Kind.Version == version && r.Kind.Kind == kind)?.Kind;
    }

    /// <summary>The resource of a group and plural in the group's preferred version.</summary>
    public ResourceKind? ByGroupPlural(string group, string plural) =>
        _all.Where(r => r.Kind.Group == group && r.Kind.Plural == plural)
            .OrderBy(r => VersionRank(r.Kind.Version))
            .FirstOrDefault()?.Kind;

    /// <summary>Served groups with their versions, preferred version first; the core group is named "".</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups() =>
        _all.GroupBy(r => r.Kind.Group)
            .Select(g => (g.Key, (IReadOnlyList<string>)g.Select(r => r.Kind.Version).Distinct().OrderBy(VersionRank).ToList()))
            .OrderBy(g => g.Key == "" ? 0 : 1).ThenBy(g => GroupOrder(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();

    public static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var slash = apiVersion.IndexOf('/');
        return slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
    }

    /// <summary>Kubernetes version priority: GA before beta before alpha, higher numbers first.</summary>
    public static int VersionRank(string version)
    {
        var match = VersionPattern().Match(version);
        if (!match.Success) return 100_000;
        var major = int.Parse(match.Groups[1].Value);
        var stage = match.Groups[2].Value switch { "" => 0, "beta" => 1, _ => 2 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value) : 0;
        return stage * 10_000 - major * 100 - minor;
    }

    /// <summary>Registers (or replaces) the served versions of a CustomResourceDefinition.</summary>
    public void ApplyCrd(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject;
        var names = spec?["names"] as JsonObject;
        var group = spec?.Str("group");
        var plural = names?.Str("plural");
        if (spec is null || names is null || group is null || plural is null) return;
        var namespaced = spec.Str("scope") != "Cluster";
        var kindName = names.Str("kind") ?? plural;
        var shortNames = (names["shortNames"] as JsonArray)?.Select(n => n!.ToString()).ToList() ?? [];
        var categories = (names["categories"] as JsonArray)?.Select(n => n!.ToString()).ToList() ?? [];
        var resources = new List<ResourceInfo>();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (version["served"]?.GetValue<bool>() == false) continue;
            var versionName = version.Str("name") ?? "v1";
            var subresources = new Dictionary<string, SubresourceInfo>();
            if (version["subresources"] is JsonObject sub)
            {
                if (sub.ContainsKey("status"))
                    subresources["status"] = new SubresourceInfo("status", ["get", "patch", "update"], group, versionName, kindName);
                if (sub.ContainsKey("scale"))
                    subresources["scale"] = new SubresourceInfo("scale", ["get", "patch", "update"], "autoscaling", "v1", "Scale");
            }
            var schema = (version["schema"] as JsonObject)?["openAPIV3Schema"] as JsonObject
                ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            resources.Add(new ResourceInfo(new ResourceKind(group, versionName, kindName, plural, namespaced))
            {
                Verbs = VerbOrder,
                Subresources = subresources,
                ShortNames = shortNames,
                Categories = categories,
                Schema = (JsonObject)schema.DeepClone(),
                IsCustomResource = true,
                PrinterColumns = version["additionalPrinterColumns"]?.DeepClone() as JsonArray,
            });
        }
        lock (_gate)
        {
            _crdResources[crd.Name()] = resources;
            Rebuild();
        }
    }

    public void RemoveCrd(string crdName)
    {
        lock (_gate)
        {
            if (_crdResources.Remove(crdName)) Rebuild();
        }
    }

    private void Rebuild() => _all = _builtIn.Concat(_crdResources.Values.SelectMany(r => r)).ToList();

    private static int GroupOrder(string group) => group.EndsWith(".k8s.io", StringComparison.Ordinal) || !group.Contains('.') ? 0 : 1;

    private static List<ResourceInfo> ReadBuiltIns(JsonObject swagger, Func<string, bool> served)
    {
        var builders = new Dictionary<(string Group, string Version, string Plural), ResourceBuilder>();
        foreach (var (path, item) in (JsonObject)swagger["paths"]!)
        {
            if (item is not JsonObject operations || !TryParsePath(path, out var group, out var version, out var rest, out var namespacedPath)) continue;
            if (rest.Length == 0 || rest[0] == "watch") continue;
            var apiVersion = group.Length == 0 ? version : $"{group}/{version}";
            if (!served(apiVersion)) continue;
            var key = (group, version, rest[0]);
            if (!builders.TryGetValue(key, out var builder)) builders[key] = builder = new ResourceBuilder();
            builder.Namespaced |= namespacedPath;
            foreach (var (method, op) in operations)
            {
                if (op is not JsonObject operation || operation["x-kubernetes-action"] is not JsonValue actionValue) continue;
                var action = actionValue.GetValue<string>();
                var gvk = operation["x-kubernetes-group-version-kind"] as JsonObject;
                var isItem = rest.Length >= 2;
                if (rest.Length >= 3)
                {
                    var sub = builder.Subresource(rest[2], gvk);
                    sub.Verbs.Add(action switch { "put" => "update", "post" => "create", "connect" => method, _ => action });
                    sub.IsConnect |= action == "connect";
                    continue;
                }
                if (gvk is not null && builder.Kind is null && action != "connect") builder.Kind = gvk.Str("kind");
                builder.Verbs.Add((action, isItem) switch
                {
                    ("get", false) or ("list", _) => "list",
                    ("post", _) => "create",
                    ("put", _) => "update",
                    ("delete", false) or ("deletecollection", _) => "deletecollection",
                    _ => action,
                });
            }
        }
        var definitions = (JsonObject)swagger["definitions"]!;
        var result = new List<ResourceInfo>();
        foreach (var ((group, version, plural), builder) in builders)
        {
            if (builder.Kind is null || builder.Verbs.Count == 0) continue;
            if (builder.Verbs.Contains("list")) builder.Verbs.Add("watch");
            var kind = new ResourceKind(group, version, builder.Kind, plural, builder.Namespaced);
            var definition = FindDefinition(definitions, group, version, builder.Kind);
            var (shortNames, categories) = BuiltInNames.For(kind);
            result.Add(new ResourceInfo(kind)
            {
                Verbs = VerbOrder.Where(builder.Verbs.Contains).ToList(),
                Subresources = builder.Subresources.ToDictionary(s => s.Key, s => s.Value.Build(s.Key)),
                ShortNames = shortNames,
                Categories = categories,
                Schema = definition is null
                    ? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true }
                    : new JsonObject { ["$ref"] = "#/definitions/" + definition },
            });
        }
        return result.OrderBy(r => r.Kind.Group, StringComparer.Ordinal).ThenBy(r => r.Kind.Plural, StringComparer.Ordinal).ToList();
    }

    private static string? FindDefinition(JsonObject definitions, string group, string version, string kind)
    {
        foreach (var (name, definition) in definitions)
        {
            if (definition?["x-kubernetes-group-version-kind"] is not JsonArray gvks) continue;
            foreach (var gvk in gvks.OfType<JsonObject>())
                if (gvk.Str("group") == group && gvk.Str("version") == version && gvk.Str("kind") == kind) return name;
        }
        return null;
    }

    private static bool TryParsePath(string path, out string group, out string version, out string[] rest, out bool namespaced)
    {
        group = ""; version = ""; rest = []; namespaced = false;
        var parts = path.Trim('/').Split('/');
        int start;
        if (parts.Length >= 2 && parts[0] == "api") { version = parts[1]; start = 2; }
        else if (parts.Length >= 3 && parts[0] == "apis") { group = parts[1]; version = parts[2]; start = 3; }
        else return false;
        var tail = parts[start..];
        if (tail.Length >= 2 && tail[0] == "namespaces" && tail[1] == "{namespace}")
        {
            namespaced = true;
            tail = tail[2..];
        }
        rest = tail;
        return true;
    }

    private sealed class ResourceBuilder
    {
        public string? Kind { get; set; }
        public bool Namespaced { get; set; }
        public HashSet<string> Verbs { get; } = [];
        public Dictionary<string, SubresourceBuilder> Subresources { get; } = [];

        public SubresourceBuilder Subresource(string name, JsonObject? gvk)
        {
            if (!Subresources.TryGetValue(name, out var sub)) Subresources[name] = sub = new SubresourceBuilder();
            if (gvk is not null && sub.Gvk is null) sub.Gvk = gvk;
            return sub;
        }
    }

    private sealed class SubresourceBuilder
    {
        public JsonObject? Gvk { get; set; }
        public HashSet<string> Verbs { get; } = [];
        public bool IsConnect { get; set; }

        public SubresourceInfo Build(string name) =>
            new(name, VerbOrder.Where(Verbs.Contains).Concat(Verbs.Where(v => !VerbOrder.Contains(v)).Order()).ToList(),
                Gvk?.Str("group") ?? "", Gvk?.Str("version") ?? "", Gvk?.Str("kind") ?? "")
            {
                IsConnect = IsConnect,
            };
    }

    [GeneratedRegex(@"^v\d+$")]
    private static partial Regex GaVersion();

    [GeneratedRegex(@"^v(\d+)(?:(alpha|beta)(\d+))?$")]
    private static partial Regex VersionPattern();
}
