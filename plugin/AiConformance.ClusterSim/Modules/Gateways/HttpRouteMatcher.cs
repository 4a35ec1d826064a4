using System.Collections.Specialized;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gateways;

/// <summary>An HTTP request as the data plane matches it.</summary>
public sealed record GatewayRequest(string Method, string Path, NameValueCollection Query, NameValueCollection Headers, string Host);

/// <summary>The rule of a route that a request matched.</summary>
public sealed record MatchedRule(JsonObject Route, JsonObject Rule);

/// <summary>
/// Chooses the HTTPRoute rule a request goes to, as the Gateway API specifies: a match holds when its path, method,
/// every header and every query parameter match; a rule without matches matches every path (<c>PathPrefix /</c>);
/// among the rules that match, the precedence is an Exact path, then the longest prefix, then a method, then the most
/// header matches, then the most query matches, then the oldest route, then the route first by namespace/name.
/// </summary>
public sealed class HttpRouteMatcher(IGatewayFault fault)
{
    public MatchedRule? Match(IEnumerable<JsonObject> routes, GatewayRequest request)
    {
        var candidates = new List<(MatchedRule Rule, JsonObject Match, JsonObject RouteObject)>();
        foreach (var route in routes)
        {
            if (!HostMatches(route, request.Host)) continue;
            foreach (var rule in (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var matches = (rule["matches"] as JsonArray)?.OfType<JsonObject>().ToList() is { Count: > 0 } given
                    ? given
                    : [new JsonObject { ["path"] = new JsonObject { ["type"] = "PathPrefix", ["value"] = "/" } }];
                foreach (var match in matches.Where(m => Holds(m, request)))
                    candidates.Add((new MatchedRule(route, rule), match, route));
            }
        }
        return candidates
            .OrderByDescending(c => PathType(c.Match) == "Exact" ? 1 : 0)
            .ThenByDescending(c => PathType(c.Match) == "PathPrefix" ? PathValue(c.Match).Length : 0)
            .ThenByDescending(c => c.Match["method"] is null ? 0 : 1)
            .ThenByDescending(c => HeaderMatches(c.Match).Count)
            .ThenByDescending(c => (c.Match["queryParams"] as JsonArray)?.Count ?? 0)
            .ThenBy(c => (string?)c.RouteObject["metadata"]?["creationTimestamp"] ?? "", StringComparer.Ordinal)
            .ThenBy(c => $"{c.RouteObject.Namespace()}/{c.RouteObject.Name()}", StringComparer.Ordinal)
            .Select(c => c.Rule)
            .FirstOrDefault();
    }

    private bool Holds(JsonObject match, GatewayRequest request) =>
        PathHolds(match, request.Path)
        && ((string?)match["method"] is not { } method || method == request.Method)
        && HeaderMatches(match).All(header => ValueHolds(header, request.Headers[(string?)header["name"] ?? ""]))
        && (match["queryParams"] as JsonArray ?? []).OfType<JsonObject>().All(query => ValueHolds(query, request.Query[(string?)query["name"] ?? ""]));

    /// <summary>The header matches the implementation applies (none when it ignores them).</summary>
    private List<JsonObject> HeaderMatches(JsonObject match) =>
        fault.MatchesHeaders ? [.. (match["headers"] as JsonArray ?? []).OfType<JsonObject>()] : [];

    private static string PathType(JsonObject match) => (string?)match["path"]?["type"] ?? "PathPrefix";

    private static string PathValue(JsonObject match) => (string?)match["path"]?["value"] ?? "/";

    private static bool PathHolds(JsonObject match, string path)
    {
        var value = PathValue(match);
        return PathType(match) switch
        {
            "Exact" => path == value,
            "RegularExpression" => Regex.IsMatch(path, $"^(?:{value})$"),
            // A prefix matches by whole path elements: /v1 matches /v1 and /v1/models, not /v1x.
            _ => value == "/" || path == value.TrimEnd('/') || path.StartsWith(value.TrimEnd('/') + "/", StringComparison.Ordinal),
        };
    }

    private static bool ValueHolds(JsonObject match, string? actual) =>
        actual is not null && ((string?)match["type"] ?? "Exact") switch
        {
            "RegularExpression" => Regex.IsMatch(actual, (string?)match["value"] ?? ""),
            _ => actual == (string?)match["value"],
        };

    /// <summary>A route with hostnames serves only requests whose Host is one of them (a leading * matches one or more labels).</summary>
    private static bool HostMatches(JsonObject route, string host)
    {
        var hostnames = (route["spec"]?["hostnames"] as JsonArray ?? []).Select(h => (string?)h).OfType<string>().ToList();
        if (hostnames.Count == 0) return true;
        var name = host.Split(':')[0];
        return hostnames.Any(h => h.StartsWith("*.", StringComparison.Ordinal)
            ? name.EndsWith(h[1..], StringComparison.OrdinalIgnoreCase) && name.Length > h.Length - 1
            : string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
    }
}
