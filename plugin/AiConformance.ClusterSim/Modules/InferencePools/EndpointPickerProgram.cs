using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Behaviours.Programs;
using AiConformance.ClusterSim.Rbac;
using AiConformance.Workloads.Metrics;
using AiConformance.Workloads.Serving;

namespace AiConformance.ClusterSim.Modules.InferencePools;

/// <summary>
/// The inference extension's endpoint picker (EPP) in a pod: it reads the pool named by <c>--pool-name</c> and
/// <c>--pool-namespace</c> and answers the gateway on <c>--grpc-port</c>. The real one speaks Envoy's ext_proc over
/// gRPC; here the gateway POSTs the request's headers (a JSON object) and the picker answers with the chosen
/// endpoint in <c>x-gateway-destination-endpoint</c> (<c>ip:port</c>), as the EPP sets it, or 503 when no endpoint fits.
/// Like the real one, it serves only once its informers can list and watch the pool and its pods as the pod's
/// ServiceAccount: until RBAC lets it, it logs the API server's refusal and retries, and never listens (so never Ready).
/// </summary>
public sealed class EndpointPickerProgram(IEndpointChoice choice) : IContainerProgram
{
    public const string DestinationHeader = "x-gateway-destination-endpoint";

    public async Task<int> RunAsync(ProgramContext context, CancellationToken cancellationToken)
    {
        var pool = Argument(context.CommandLine, "--pool-name");
        var poolNamespace = Argument(context.CommandLine, "--pool-namespace") ?? "default";
        var port = int.TryParse(Argument(context.CommandLine, "--grpc-port"), NumberStyles.None, CultureInfo.InvariantCulture, out var given) ? given : 9002;
        if (pool is null)
        {
            context.Write("{\"level\":\"error\",\"msg\":\"required flag --pool-name not set\"}\n");
            return 1;
        }
        if (!await MayReadPoolAsync(context, poolNamespace, cancellationToken)) return 0;
        using var client = new HttpClient(context.Cluster.Network.CreateHttpHandler(context.Sandbox)) { Timeout = TimeSpan.FromSeconds(10) };
        await using var server = context.Cluster.Network.Serve(context.Sandbox, port,
            (request, token) => PickAsync(context.Cluster, poolNamespace, pool, request, client, token));
        context.Write($"{{\"level\":\"info\",\"msg\":\"EPP serving\",\"pool\":\"{poolNamespace}/{pool}\",\"grpcPort\":{port}}}\n");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private async Task<RoleResponse> PickAsync(SimulatedCluster cluster, string ns, string name, HttpListenerRequest request, HttpClient client,
        CancellationToken cancellationToken)
    {
        var pool = cluster.Store.Get(InferencePoolKinds.InferencePool, ns, name);
        if (pool is null) return Unavailable($"InferencePool {ns}/{name} not found");
        Dictionary<string, string> headers;
        using (var reader = new StreamReader(request.InputStream))
        {
            try
            {
                headers = JsonSerializer.Deserialize<Dictionary<string, string>>(await reader.ReadToEndAsync(cancellationToken))
                          ?? [];
            }
            catch (JsonException)
            {
                headers = [];
            }
        }
        var port = InferencePoolKinds.TargetPort(pool);
        var members = InferencePoolKinds.ReadyMembers(pool, cluster.Store);
        var chosen = await choice.ChooseAsync(members, port, new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase), client, cancellationToken);
        return chosen is null
            ? Unavailable($"no endpoint of pool {ns}/{name} fits the request ({members.Count} ready)")
            : new RoleResponse(200, "application/json", "{}", new Dictionary<string, string> { [DestinationHeader] = $"{chosen.PodIp()}:{port}" });
    }

    /// <summary>
    /// Waits until the pod's ServiceAccount may list and watch InferencePools and pods in the pool's namespace, as the
    /// EPP's informers must before its caches sync and it starts serving; false when the container is stopped first.
    /// </summary>
    private static async Task<bool> MayReadPoolAsync(ProgramContext context, string ns, CancellationToken cancellationToken)
    {
        var pod = context.Cluster.Store.Get(Kinds.Pod, context.Sandbox.Namespace, context.Sandbox.Name);
        var identity = Identity.ServiceAccount(context.Sandbox.Namespace, pod?["spec"]?["serviceAccountName"]?.ToString() ?? "default");
        var authorizer = new RbacAuthorizer(context.Cluster.Store);
        AccessRequest[] needed =
        [
            .. new[] { "list", "watch" }.SelectMany(verb => new[]
            {
                new AccessRequest(verb, InferencePoolKinds.Group, InferencePoolKinds.InferencePool.Plural, null, ns, null),
                new AccessRequest(verb, "", Kinds.Pod.Plural, null, ns, null),
            }),
        ];
        while (!cancellationToken.IsCancellationRequested)
        {
            authorizer.Invalidate();
            if (needed.FirstOrDefault(request => !authorizer.Allows(identity, request)) is not { } denied) return true;
            var resource = denied.Group.Length == 0 ? denied.Resource : $"{denied.Resource}.{denied.Group}";
            var error = JsonSerializer.Serialize($"{resource} is forbidden: {RbacAuthorizer.DeniedMessage(identity, denied)}");
            context.Write($"{{\"level\":\"error\",\"msg\":\"failed to {denied.Verb} {denied.Resource}\",\"error\":{error}}}\n");
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
        }
        return false;
    }

    private static RoleResponse Unavailable(string message) => new(503, "text/plain", message);

    private static string? Argument(IReadOnlyList<string> commandLine, string name)
    {
        for (var i = 0; i < commandLine.Count; i++)
        {
            if (commandLine[i] == name && i + 1 < commandLine.Count) return commandLine[i + 1];
            if (commandLine[i].StartsWith(name + "=", StringComparison.Ordinal)) return commandLine[i][(name.Length + 1)..];
        }
        return null;
    }
}

/// <summary>How a picker chooses among the pool's ready members; null when none fits.</summary>
public interface IEndpointChoice
{
    Task<JsonObject?> ChooseAsync(IReadOnlyList<JsonObject> members, int port, IReadOnlyDictionary<string, string> headers, HttpClient client,
        CancellationToken cancellationToken);
}

/// <summary>
/// The conformance picker (lwepp): the <c>test-epp-endpoint-selection</c> header lists the endpoints allowed
/// (addresses, optionally with a port, comma-separated); without it, any member at random.
/// </summary>
public sealed class HeaderSteeredChoice : IEndpointChoice
{
    public const string SelectionHeader = "test-epp-endpoint-selection";

    public Task<JsonObject?> ChooseAsync(IReadOnlyList<JsonObject> members, int port, IReadOnlyDictionary<string, string> headers, HttpClient client,
        CancellationToken cancellationToken)
    {
        var candidates = members;
        if (headers.TryGetValue(SelectionHeader, out var wanted))
        {
            var addresses = wanted.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(address => address.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
            candidates = [.. members.Where(pod => addresses.Contains(pod.PodIp()!))];
        }
        return Task.FromResult(candidates.Count == 0 ? null : candidates[Random.Shared.Next(candidates.Count)]);
    }
}

/// <summary>
/// The EPP's default scheduling profile, as far as it concerns load: each member's vLLM metrics are read from
/// <c>/metrics</c> on its target port (over the pod network), the queue scorer prefers fewer waiting requests and the
/// KV-cache scorer a lower cache usage (both normalized to 0..1 and added); the highest score wins, ties at random. A
/// member whose metrics cannot be read scores nothing. (The prefix-cache scorer is not modelled.)
/// </summary>
public sealed class MetricAwareChoice : IEndpointChoice
{
    public async Task<JsonObject?> ChooseAsync(IReadOnlyList<JsonObject> members, int port, IReadOnlyDictionary<string, string> headers, HttpClient client,
        CancellationToken cancellationToken)
    {
        if (members.Count == 0) return null;
        var readings = new List<(JsonObject Pod, double Waiting, double Cache)?>();
        foreach (var pod in members) readings.Add(await ReadAsync(client, pod, port, cancellationToken));
        var known = readings.OfType<(JsonObject Pod, double Waiting, double Cache)>().ToList();
        if (known.Count == 0) return members[Random.Shared.Next(members.Count)];
        var (fewest, most) = (known.Min(r => r.Waiting), known.Max(r => r.Waiting));
        var scored = known.Select(r => (r.Pod, Score: (most == fewest ? 1 : 1 - (r.Waiting - fewest) / (most - fewest)) + (1 - Math.Clamp(r.Cache, 0, 1)))).ToList();
        var best = scored.Max(s => s.Score);
        var top = scored.Where(s => best - s.Score < 1e-9).ToList();
        return top[Random.Shared.Next(top.Count)].Pod;
    }

    private static async Task<(JsonObject Pod, double Waiting, double Cache)?> ReadAsync(HttpClient client, JsonObject pod, int port, CancellationToken cancellationToken)
    {
        try
        {
            var text = await client.GetStringAsync($"http://{pod.PodIp()}:{port}/metrics", cancellationToken);
            var metrics = Exposition.Parse(text);
            var cache = metrics.Samples("vllm:kv_cache_usage_perc") is { Count: > 0 } kv ? kv : metrics.Samples("vllm:gpu_cache_usage_perc");
            return (pod, metrics.Samples("vllm:num_requests_waiting").Sum(s => s.Value), cache.Sum(s => s.Value));
        }
        catch (Exception error) when (error is HttpRequestException or ExpositionFormatException or TaskCanceledException)
        {
            return null;
        }
    }
}
