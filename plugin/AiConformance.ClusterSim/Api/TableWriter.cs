using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// meta.k8s.io/v1 Table answers (what <c>kubectl get</c> asks for): Name and Age, the printer columns of a few
/// built-ins, and the additionalPrinterColumns of CRDs.
/// </summary>
public static class TableWriter
{
    public static bool Wanted(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Write(ResourceInfo info, IReadOnlyList<JsonObject> items, long resourceVersion, string? continueToken = null)
    {
        var columns = Columns(info);
        var definitions = new JsonArray();
        foreach (var (name, type, _) in columns)
            definitions.Add(new JsonObject { ["name"] = name, ["type"] = type, ["format"] = name == "Name" ? "name" : "", ["description"] = name, ["priority"] = Priority(info, name) });
        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray();
            foreach (var (_, _, cell) in columns) cells.Add(cell(item));
            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = item.Metadata().DeepClone(),
                },
            });
        }
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion.ToString() };
        if (continueToken is not null) metadata["continue"] = continueToken;
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = metadata,
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static List<(string Name, string Type, Func<JsonObject, JsonNode?> Cell)> Columns(ResourceInfo info)
    {
        var columns = new List<(string, string, Func<JsonObject, JsonNode?>)> { ("Name", "string", o => o.Name()) };
        switch (info.Kind.Group, info.Kind.Plural)
        {
            case ("", "pods"):
                columns.Add(("Ready", "string", o =>
                {
                    var statuses = (o["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
                    var total = (o["spec"]?["containers"] as JsonArray)?.Count ?? 0;
                    return $"{statuses.Count(s => s["ready"]?.GetValue<bool>() == true)}/{total}";
                }));
                columns.Add(("Status", "string", o => PodStatus(o)));
                columns.Add(("Restarts", "string", o => (o["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>()
                    .Sum(s => s["restartCount"].AsLong() ?? 0).ToString()));
                break;
            case ("", "nodes"):
                columns.Add(("Status", "string", o =>
                {
                    var ready = (o["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c.Str("type") == "Ready");
                    var text = ready?.Str("status") == "True" ? "Ready" : ready is null ? "Unknown" : "NotReady";
                    return o["spec"]?["unschedulable"]?.GetValue<bool>() == true ? text + ",SchedulingDisabled" : text;
                }));
                columns.Add(("Roles", "string", o =>
                {
                    var roles = o.Labels().Keys.Where(k => k.StartsWith("node-role.kubernetes.io/", StringComparison.Ordinal))
                        .Select(k => k["node-role.kubernetes.io/".Length..]).ToList();
                    return roles.Count == 0 ? "<none>" : string.Join(",", roles);
                }));
                break;
            case ("", "namespaces"):
                columns.Add(("Status", "string", o => o["status"]?["phase"]?.ToString() ?? ""));
                break;
            case ("resource.k8s.io", "resourceslices"):
                columns.Add(("Node", "string", o => o.StrAt("spec.nodeName") ?? ""));
                columns.Add(("Driver", "string", o => o.StrAt("spec.driver") ?? ""));
                columns.Add(("Pool", "string", o => o.StrAt("spec.pool.name") ?? ""));
                break;
            case ("resource.k8s.io", "resourceclaims"):
                columns.Add(("State", "string", o =>
                {
                    var states = new List<string>();
                    if (o.Metadata()["deletionTimestamp"] is not null) states.Add("deleted");
                    if (o["status"]?["allocation"] is not null) states.Add("allocated");
                    if (o["status"]?["reservedFor"] is JsonArray { Count: > 0 }) states.Add("reserved");
                    return states.Count == 0 ? "pending" : string.Join(",", states);
                }));
                break;
            case ("apps", "deployments"):
                columns.Add(("Ready", "string", o => $"{o["status"]?["readyReplicas"].AsLong() ?? 0}/{o["spec"]?["replicas"].AsLong() ?? 0}"));
                columns.Add(("Up-to-date", "integer", o => o["status"]?["updatedReplicas"].AsLong() ?? 0));
                columns.Add(("Available", "integer", o => o["status"]?["availableReplicas"].AsLong() ?? 0));
                break;
            case ("", "services"):
                columns.Add(("Type", "string", o => o.StrAt("spec.type") ?? ""));
                columns.Add(("Cluster-IP", "string", o => o.StrAt("spec.clusterIP") ?? ""));
                columns.Add(("Port(s)", "string", o => string.Join(",", (o["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>()
                    .Select(p => $"{p["port"]}/{p.Str("protocol") ?? "TCP"}"))));
                break;
        }
        if (info.PrinterColumns is { } printerColumns)
        {
            foreach (var column in printerColumns.OfType<JsonObject>())
            {
                var path = column.Str("jsonPath")?.TrimStart('.') ?? "";
                if (path.Contains('[') || column.Str("name") == "Age") continue;
                columns.Add((column.Str("name") ?? path, column.Str("type") ?? "string", o => o.StrAt(path) ?? ""));
            }
        }
        columns.Add(("Age", "string", o => Age(o.Metadata().Str("creationTimestamp"))));
        if (info.Kind is { Group: "", Plural: "pods" })
        {
            columns.Add(("IP", "string", o => o.StrAt("status.podIP") ?? "<none>"));
            columns.Add(("Node", "string", o => o.StrAt("spec.nodeName") ?? "<none>"));
        }
        if (info.Kind is { Group: "", Plural: "nodes" })
            columns.Add(("Version", "string", o => o["status"]?["nodeInfo"]?["kubeletVersion"]?.ToString() ?? ""));
        return columns;
    }

    /// <summary>Priority 1 columns show only with <c>-o wide</c>.</summary>
    private static long Priority(ResourceInfo info, string column) =>
        info.Kind is { Group: "", Plural: "pods" } && column is "IP" or "Node" ? 1
        : info.PrinterColumns?.OfType<JsonObject>().FirstOrDefault(c => c.Str("name") == column)?["priority"].AsLong() ?? 0;

    private static string PodStatus(JsonObject pod)
    {
        if (pod.Metadata()["deletionTimestamp"] is not null) return "Terminating";
        foreach (var status in (pod["status"]?["containerStatuses"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (status["state"]?["waiting"]?["reason"] is { } waiting) return waiting.ToString();
            if (status["state"]?["terminated"]?["reason"] is { } terminated && pod["status"]?["phase"]?.ToString() is not ("Succeeded" or "Failed"))
                return terminated.ToString();
        }
        return pod["status"]?["phase"]?.ToString() ?? "Unknown";
    }

    /// <summary>kubectl's short human durations: 45s, 12m, 5h, 3d.</summary>
    public static string Age(string? timestamp)
    {
        if (timestamp is null || !DateTimeOffset.TryParse(timestamp, out var created)) return "<unknown>";
        var age = DateTimeOffset.UtcNow - created;
        return age.TotalSeconds < 120 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 120 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
