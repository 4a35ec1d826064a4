using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Store;

/// <summary>A failed API call, carrying the metav1.Status body and HTTP code the real API server would send.</summary>
public sealed class StatusException(int code, string reason, string message, JsonObject? details = null)
    : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = Message,
        ["reason"] = Reason,
        ["details"] = Details?.DeepClone(),
        ["code"] = Code,
    };

    public static StatusException NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.GroupResource} \"{name}\" not found", DetailsOf(kind, name));

    public static StatusException AlreadyExists(ResourceKind kind, string name) =>
        new(409, "AlreadyExists", $"{kind.GroupResource} \"{name}\" already exists", DetailsOf(kind, name));

    public static StatusException Conflict(ResourceKind kind, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {kind.GroupResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsOf(kind, name));

    public static StatusException Expired(string message) => new(410, "Expired", message);

    private static JsonObject DetailsOf(ResourceKind kind, string name)
    {
        var details = new JsonObject { ["name"] = name, ["kind"] = kind.Plural };
        if (kind.Group.Length > 0) details["group"] = kind.Group;
        return details;
    }
}
