using System.Net;
using k8s.Autorest;

namespace AiConformance.Suite.Framework.Gateways;

/// <summary>A GatewayClass to route through to InferencePools, and the inference extension API version the cluster serves.</summary>
public sealed record DetectedInferenceGateway(DetectedGateway Gateway, string PoolApi, int ExistingPools) : IDetected
{
    public string Name => Gateway.Name;

    public string Summary => $"{Gateway.Summary}; {PoolApi} InferencePools served ({ExistingPools} in the cluster)";
}

/// <summary>
/// Finds what serves the Gateway API Inference Extension: <c>inference.networking.k8s.io/v1</c> InferencePools
/// served, and the GatewayClasses <see cref="GatewayDetection"/> finds (one test case each, with its configuration:
/// <c>gateway.className</c>, <c>gateway.existing</c>). Whether a class's implementation supports InferencePool
/// backends is not assumed: the tests find out from the route's and the pool's conditions.
/// </summary>
public static class InferencePoolDetection
{
    public static readonly DetectedCases<DetectedInferenceGateway> Cases = new(DetectAsync);

    private static async Task<Detection<DetectedInferenceGateway>> DetectAsync(RunContext run)
    {
        var api = $"{InferenceApi.Group}/v1";
        int pools;
        try
        {
            (var items, _) = await new ClusterObjects<InferencePool>(run.Kubernetes, null).ListAsync(null, null, run.Cancellation);
            pools = items.Count;
        }
        catch (HttpOperationException error) when (error.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return new Detection<DetectedInferenceGateway>([], [$"{api} InferencePools (the API is not served)"]);
        }
        var (gateways, gatewayError) = GatewayDetection.Cases.Of(run);
        if (gateways is null) throw new InvalidOperationException($"could not look for Gateway API implementations: {gatewayError}");
        return new Detection<DetectedInferenceGateway>(
            [.. gateways.Found.Select(gateway => new DetectedInferenceGateway(gateway, api, pools))],
            [$"{api} InferencePools (served)", .. gateways.LookedFor]);
    }
}
