using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Store;

/// <summary>A failed API call, carrying the metav1.Status body and HTTP code the real API server would send.</summary>
public sealed class StatusException(int code, string reason, string message, JsonObject? details = null)
    : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null) status["details"] = Details.DeepClone();
        status["code"] = Code;
        return status;
    }

    public static StatusException NotFound(ResourceKind kind, string name) =>
        new(404, "NotFound", $"{kind.GroupResource} \"{name}\" not found", DetailsOf(kind, name));

    public static StatusException AlreadyExists(ResourceKind kind, string name) =>
        new(409, "AlreadyExists", $"{kind.GroupResource} \"{name}\" already exists", DetailsOf(kind, name));

    public static StatusException Conflict(ResourceKind kind, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {kind.GroupResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsOf(kind, name));

    public static StatusException Expired(string message) => new(410, "Expired", message);

    /// <summary>422 Invalid: <c>Pod "x" is invalid: field: message, ...</c> with one cause per field error.</summary>
    public static StatusException Invalid(ResourceKind kind, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var error in errors)
            causes.Add(new JsonObject { ["reason"] = error.Reason, ["message"] = error.Message, ["field"] = error.Field });
        var details = new JsonObject { ["name"] = name, ["group"] = kind.Group, ["kind"] = kind.Kind, ["causes"] = causes };
        var summary = errors.Count == 1
            ? $"{errors[0].Field}: {errors[0].Message}"
            : "[" + string.Join(", ", errors.Select(e => $"{e.Field}: {e.Message}")) + "]";
        var qualifiedKind = kind.Group.Length == 0 ? kind.Kind : $"{kind.Kind}.{kind.Group}";
        return new StatusException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {summary}", details);
    }

    public static StatusException Forbidden(ResourceKind kind, string name, string message) =>
        new(403, "Forbidden", $"{kind.GroupResource} \"{name}\" is forbidden: {message}", DetailsOf(kind, name));

    public static StatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static StatusException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    internal static JsonObject DetailsOf(ResourceKind kind, string name)
    {
        var details = new JsonObject();
        if (name.Length > 0) details["name"] = name;
        if (kind.Group.Length > 0) details["group"] = kind.Group;
        details["kind"] = kind.Plural;
        return details;
    }
}

/// <summary>One field error of a 422 Invalid answer; <see cref="Reason"/> is the CauseType (FieldValueRequired, ...).</summary>
public sealed record FieldError(string Reason, string Field, string Message)
{
    public static FieldError Required(string field) => new("FieldValueRequired", field, "Required value");

    public static FieldError InvalidValue(string field, string value, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: \"{value}\": {detail}");

    public static FieldError TypeInvalid(string field, string detail) => new("FieldValueTypeInvalid", field, $"Invalid value: {detail}");

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, $"Forbidden: {detail}");
}
