using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Server;

/// <summary>
/// Draws the configured faults for each request: an error answer, added latency, a watch that drops, a watch or log
/// stream cut in the middle of its body, a watch event held back.
/// </summary>
public sealed class FaultInjector(ApiFaults faults)
{
    /// <summary>A stream to be cut is cut within this many bytes of its body: within the first events of a watch.</summary>
    public const int CutWithinBytes = 8 * 1024;

    private readonly Random _random = new(faults.Seed);
    private readonly object _gate = new();

    public ApiFaults Faults => faults;

    public async Task BeforeRequestAsync(CancellationToken cancellation)
    {
        if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, cancellation);
        if (faults.ApiErrorRate <= 0) return;
        if (Draw() < faults.ApiErrorRate) throw ErrorFor(DrawCode());
    }

    /// <summary>The error's code: one of the configured codes (no draw when there is only one).</summary>
    private int DrawCode() => faults.Codes.Count == 1 ? faults.Codes[0] : faults.Codes[(int)(Draw() * faults.Codes.Count)];

    /// <summary>The number of body bytes after which this stream is cut, or null when it is left whole.</summary>
    public long? DrawStreamCut()
    {
        if (faults.CutStreamRate <= 0 || Draw() >= faults.CutStreamRate) return null;
        return (long)(Draw() * CutWithinBytes);
    }

    /// <summary>How long the next watch event is held back.</summary>
    public TimeSpan DrawEventDelay() =>
        faults.MaxEventDelay <= TimeSpan.Zero ? TimeSpan.Zero : faults.MaxEventDelay * Draw();

    private double Draw()
    {
        lock (_gate) return _random.NextDouble();
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
