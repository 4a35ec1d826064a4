using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Server;

/// <summary>One request the API server forwards to an extension API server: the path below <c>/apis/{group}/{version}</c>.</summary>
public sealed record AggregatedRequest(string Group, string Version, IReadOnlyList<string> Path, string? LabelSelector);

/// <summary>What an extension API server answers: a status code and a JSON body.</summary>
public sealed record AggregatedResponse(int Status, JsonNode Body);

/// <summary>
/// The aggregation layer: extension API servers (a metrics adapter) register the group/version they serve; the
/// API server forwards requests below <c>/apis/{group}/{version}</c> to them, as kube-aggregator proxies to the
/// Service an APIService names. A group/version nobody serves is a 404, as on a cluster without the APIService.
/// </summary>
public sealed class AggregatedApis
{
    private readonly Dictionary<(string Group, string Version), Func<AggregatedRequest, CancellationToken, Task<AggregatedResponse>>> servers = [];
    private readonly Lock gate = new();

    public void Register(string group, string version, Func<AggregatedRequest, CancellationToken, Task<AggregatedResponse>> server)
    {
        lock (gate) servers[(group, version)] = server;
    }

    public void Unregister(string group, string version)
    {
        lock (gate) servers.Remove((group, version));
    }

    public bool Serves(string group, string version)
    {
        lock (gate) return servers.ContainsKey((group, version));
    }

    /// <summary>Forwards a request; null when nobody serves its group/version.</summary>
    public Task<AggregatedResponse>? Forward(AggregatedRequest request, CancellationToken cancellationToken)
    {
        Func<AggregatedRequest, CancellationToken, Task<AggregatedResponse>>? server;
        lock (gate) servers.TryGetValue((request.Group, request.Version), out server);
        return server?.Invoke(request, cancellationToken);
    }
}
