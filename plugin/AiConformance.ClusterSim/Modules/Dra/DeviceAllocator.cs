using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Dra;

/// <summary>A device of a published ResourceSlice.</summary>
public sealed record PublishedDevice(string Driver, string Pool, string Name, string? NodeName, DeviceFacts Facts)
{
    public (string, string, string) Key => (Driver, Pool, Name);
}

/// <summary>One allocated device, as <c>status.allocation.devices.results[]</c> records it.</summary>
public sealed record AllocatedDevice(string Request, string Driver, string Pool, string Device);

/// <summary>The allocation of one claim on one node, or why there is none (<see cref="Refusal"/> for unsupported CEL).</summary>
public sealed record ClaimAllocation(IReadOnlyList<AllocatedDevice> Results, string? Failure = null, string? Refusal = null)
{
    public bool Succeeded => Failure is null && Refusal is null;
}

/// <summary>
/// The structured-parameters allocator, for the forms the suite uses: exactly (ExactCount with count, or All) and
/// firstAvailable requests, DeviceClass and request CEL selectors. Devices are tried in slice order.
/// </summary>
public sealed class DeviceAllocator
{
    private readonly ConcurrentDictionary<string, object> selectors = new(StringComparer.Ordinal);

    public static IReadOnlyList<PublishedDevice> DevicesOf(IEnumerable<JsonObject> slices) =>
        slices.SelectMany(slice =>
        {
            var spec = slice["spec"] as JsonObject;
            var driver = (string?)spec?["driver"] ?? "";
            var pool = (string?)spec?["pool"]?["name"] ?? "";
            var node = (string?)spec?["nodeName"];
            return (spec?["devices"] as JsonArray ?? []).OfType<JsonObject>().Select(device => new PublishedDevice(
                driver, pool, (string?)device["name"] ?? "", node,
                new DeviceFacts(driver, device["attributes"] as JsonObject ?? [], device["capacity"] as JsonObject ?? [])));
        }).ToList();

    /// <summary>Allocates <paramref name="claim"/> from the devices on <paramref name="node"/> not in <paramref name="inUse"/>.</summary>
    public ClaimAllocation Allocate(JsonObject claim, string node, IReadOnlyList<PublishedDevice> devices,
        ISet<(string, string, string)> inUse, IReadOnlyDictionary<string, JsonObject> deviceClasses)
    {
        var available = devices.Where(d => (d.NodeName is null || d.NodeName == node) && !inUse.Contains(d.Key)).ToList();
        var taken = new HashSet<(string, string, string)>();
        var results = new List<AllocatedDevice>();
        foreach (var request in (claim["spec"]?["devices"]?["requests"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var name = (string?)request["name"] ?? "";
            var alternatives = request["exactly"] is JsonObject exactly
                ? [(name, exactly)]
                : (request["firstAvailable"] as JsonArray ?? []).OfType<JsonObject>().Select(sub => ($"{name}/{(string?)sub["name"]}", sub)).ToList();
            if (alternatives.Count == 0) return new([], Refusal: $"request \"{name}\" has neither exactly nor firstAvailable");
            string? lastFailure = null;
            var satisfied = false;
            foreach (var (requestName, spec) in alternatives)
            {
                var outcome = TryRequest(requestName, spec, available.Where(d => !taken.Contains(d.Key)).ToList(), deviceClasses);
                if (outcome.Refusal is not null) return outcome;
                if (!outcome.Succeeded) { lastFailure = outcome.Failure; continue; }
                foreach (var result in outcome.Results) taken.Add((result.Driver, result.Pool, result.Device));
                results.AddRange(outcome.Results);
                satisfied = true;
                break;
            }
            if (!satisfied) return new([], Failure: lastFailure ?? $"cannot allocate request \"{name}\"");
        }
        return new(results);
    }

    private ClaimAllocation TryRequest(string requestName, JsonObject spec, List<PublishedDevice> candidates,
        IReadOnlyDictionary<string, JsonObject> deviceClasses)
    {
        var className = (string?)spec["deviceClassName"] ?? "";
        if (!deviceClasses.TryGetValue(className, out var deviceClass))
            return new([], Failure: $"request {requestName}: device class {className} does not exist");
        var expressions = Expressions(deviceClass["spec"]?["selectors"]).Concat(Expressions(spec["selectors"])).ToList();
        var compiled = new List<DeviceSelector>();
        foreach (var expression in expressions)
        {
            var parsed = selectors.GetOrAdd(expression, e =>
            {
                try { return DeviceSelector.Parse(e); }
                catch (UnsupportedCelException error) { return error; }
            });
            if (parsed is UnsupportedCelException refused) return new([], Refusal: refused.Message);
            compiled.Add((DeviceSelector)parsed);
        }
        var matching = candidates.Where(d => compiled.All(s => s.Matches(d.Facts))).ToList();
        var mode = (string?)spec["allocationMode"] ?? "ExactCount";
        var count = mode == "All" ? Math.Max(1, matching.Count) : JsonNumber.Int(spec["count"]) ?? 1;
        if (matching.Count < count)
            return new([], Failure: $"request {requestName}: wants {count} device(s) of class {className}, {matching.Count} available");
        return new(matching.Take(count).Select(d => new AllocatedDevice(requestName, d.Driver, d.Pool, d.Name)).ToList());
    }

    private static IEnumerable<string> Expressions(JsonNode? selectorList) =>
        (selectorList as JsonArray ?? []).OfType<JsonObject>()
            .Select(s => (string?)s["cel"]?["expression"]).OfType<string>();
}
