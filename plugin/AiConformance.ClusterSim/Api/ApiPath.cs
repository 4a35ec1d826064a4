namespace AiConformance.ClusterSim.Api;

/// <summary>
/// A parsed resource URL: <c>/apis/{group}/{version}[/watch][/namespaces/{ns}]/{plural}[/{name}[/{subresource}]]</c>;
/// for <c>.../{name}/proxy/{path...}</c>, <see cref="ProxyPath"/> is the path to send on (<c>/metrics</c>).
/// </summary>
public sealed record ApiPath(string Group, string Version, string? Namespace, string Plural, string? Name, string? Subresource, bool LegacyWatch,
    string? ProxyPath = null)
{
    public static ApiPath? Parse(string path)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group = "", version;
        int start;
        if (parts.Length >= 3 && parts[0] == "api") { version = parts[1]; start = 2; }
        else if (parts.Length >= 4 && parts[0] == "apis") { group = parts[1]; version = parts[2]; start = 3; }
        else return null;
        var tail = parts[start..];
        var watch = false;
        if (tail.Length > 0 && tail[0] == "watch")
        {
            watch = true;
            tail = tail[1..];
        }
        string? ns = null;
        var isNamespaceItself = tail.Length <= 2 || tail is [_, _, "status" or "finalize"];
        if (tail.Length >= 3 && tail[0] == "namespaces" && !(group.Length == 0 && isNamespaceItself))
        {
            ns = tail[1];
            tail = tail[2..];
        }
        if (tail.Length >= 3 && tail[2] == "proxy")
            return new ApiPath(group, version, ns, tail[0], tail[1], "proxy", watch, "/" + string.Join('/', tail[3..]));
        if (tail.Length is 0 or > 3) return null;
        return new ApiPath(group, version, ns, tail[0], tail.Length > 1 ? tail[1] : null, tail.Length > 2 ? tail[2] : null, watch);
    }
}
