using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Server;

/// <summary>Draws the configured faults for each request: an error answer, added latency, a watch that drops.</summary>
public sealed class FaultInjector(ApiFaults faults)
{
    private readonly Random _random = new(faults.Seed);
    private readonly object _gate = new();

    public ApiFaults Faults => faults;

    public async Task BeforeRequestAsync(CancellationToken cancellation)
    {
        if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, cancellation);
        if (faults.ApiErrorRate <= 0) return;
        var codes = faults.Codes;
        int? code = null;
        lock (_gate)
        {
            if (_random.NextDouble() < faults.ApiErrorRate) code = codes[codes.Count == 1 ? 0 : _random.Next(codes.Count)];
        }
        if (code is { } error) throw ErrorFor(error);
    }

    private static StatusException ErrorFor(int code) => code switch
    {
        429 => new StatusException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later",
            new System.Text.Json.Nodes.JsonObject { ["retryAfterSeconds"] = 1 }),
        503 => new StatusException(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
        504 => new StatusException(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
        _ => new StatusException(500, "InternalError", "Internal error occurred: injected fault"),
    };
}
