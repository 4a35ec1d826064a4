using AiConformance.ClusterSim.Store;
using Microsoft.AspNetCore.Http;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The options of a list or watch, decoded and validated as kube-apiserver's list handler does
/// (<c>ValidateListOptions</c>): misuse of <c>resourceVersionMatch</c> and <c>sendInitialEvents</c> is a 422 on
/// <c>ListOptions.meta.k8s.io</c>, with the server's field errors.
/// </summary>
public sealed record ListOptions(
    bool Watch, string? ResourceVersion, string? ResourceVersionMatch, bool? SendInitialEvents, bool AllowWatchBookmarks,
    long? Limit, string? Continue, long? TimeoutSeconds)
{
    public const string Exact = "Exact";
    public const string NotOlderThan = "NotOlderThan";

    private static readonly ResourceKind Kind = new("meta.k8s.io", "v1", "ListOptions", "listoptions", false);

    public static ListOptions Parse(IQueryCollection query, bool watch)
    {
        var options = new ListOptions(watch,
            QueryParameters.String(query, "resourceVersion"), QueryParameters.String(query, "resourceVersionMatch"),
            QueryParameters.OptionalBool(query, "sendInitialEvents"), QueryParameters.Bool(query, "allowWatchBookmarks"),
            QueryParameters.Int64(query, "limit"), QueryParameters.String(query, "continue"), QueryParameters.Int64(query, "timeoutSeconds"));
        var errors = watch ? options.WatchErrors() : options.ListErrors();
        if (errors.Count > 0) throw StatusException.Invalid(Kind, "", errors);
        return options;
    }

    /// <summary>
    /// Whether a watch starts with the current objects as ADDED events: asked for, or by default when it starts from
    /// no version or "0" (for backward compatibility, as documented on ListOptions).
    /// </summary>
    public bool SendsInitialEvents => SendInitialEvents ?? string.IsNullOrEmpty(ResourceVersion) || ResourceVersion == "0";

    private List<FieldError> ListErrors()
    {
        var errors = new List<FieldError>();
        if (!string.IsNullOrEmpty(ResourceVersionMatch))
        {
            if (string.IsNullOrEmpty(ResourceVersion))
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
            if (!string.IsNullOrEmpty(Continue))
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
            if (ResourceVersionMatch is not (Exact or NotOlderThan))
                errors.Add(NotSupported("resourceVersionMatch", ResourceVersionMatch, Exact, NotOlderThan, ""));
            if (ResourceVersionMatch == Exact && ResourceVersion == "0")
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
        }
        if (SendInitialEvents is not null) errors.Add(Forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
        return errors;
    }

    private List<FieldError> WatchErrors()
    {
        var errors = new List<FieldError>();
        if (SendInitialEvents is not null)
        {
            if (ResourceVersionMatch != NotOlderThan)
                errors.Add(Forbidden("resourceVersionMatch", $"sendInitialEvents requires setting resourceVersionMatch to {NotOlderThan}"));
            if (!AllowWatchBookmarks)
                errors.Add(Forbidden("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true"));
        }
        if (!string.IsNullOrEmpty(ResourceVersionMatch))
        {
            if (SendInitialEvents is null)
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
            if (ResourceVersionMatch != NotOlderThan)
                errors.Add(NotSupported("resourceVersionMatch", ResourceVersionMatch, NotOlderThan));
            if (!string.IsNullOrEmpty(Continue))
                errors.Add(Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
        }
        return errors;
    }

    private static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, $"Forbidden: {detail}");

    private static FieldError NotSupported(string field, string value, params string[] supported) =>
        new("FieldValueNotSupported", field,
            $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");
}
