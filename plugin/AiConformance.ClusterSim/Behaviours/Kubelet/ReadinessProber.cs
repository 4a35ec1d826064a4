using System.Net.Sockets;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Network;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>
/// The kubelet's readiness prober for <c>httpGet</c> and <c>tcpSocket</c> probes, done for real through the pod
/// network: a TCP probe passes when the port accepts a connection, an HTTP probe when its GET answers 200 to 399
/// within the probe's timeout. (An <c>exec</c> probe cannot be run on a simulated process; it is taken to pass.)
/// </summary>
internal static class ReadinessProber
{
    public static bool ProbesTheNetwork(JsonObject container) =>
        container["readinessProbe"]?["httpGet"] is JsonObject || container["readinessProbe"]?["tcpSocket"] is JsonObject;

    /// <summary>How often the probe runs (<c>periodSeconds</c>, 10 by default).</summary>
    public static TimeSpan Period(JsonObject container) =>
        TimeSpan.FromSeconds(Math.Max(1, JsonNumber.Int(container["readinessProbe"]?["periodSeconds"]) ?? 10));

    public static async Task<bool> PassesAsync(PodNetwork network, PodSandbox pod, JsonObject container, CancellationToken cancellationToken)
    {
        var probe = container["readinessProbe"] as JsonObject ?? [];
        var action = probe["httpGet"] as JsonObject ?? probe["tcpSocket"] as JsonObject ?? [];
        if (Port(action["port"], container) is not { } port) return false;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, JsonNumber.Int(probe["timeoutSeconds"]) ?? 1)));
        try
        {
            if (probe["tcpSocket"] is JsonObject)
            {
                await using var connection = await network.ConnectAsync(pod, pod.Ip, port, timeout.Token);
                return true;
            }
            // The kubelet probes from the node, by the pod's address.
            using var client = new HttpClient(network.CreateHttpHandler(pod));
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{pod.Ip}:{port}{(string?)action["path"] ?? "/"}");
            foreach (var header in (action["httpHeaders"] as JsonArray ?? []).OfType<JsonObject>())
                request.Headers.TryAddWithoutValidation((string?)header["name"] ?? "", (string?)header["value"] ?? "");
            using var response = await client.SendAsync(request, timeout.Token);
            return (int)response.StatusCode is >= 200 and < 400;
        }
        catch (Exception e) when (e is SocketException or HttpRequestException or IOException
                                   || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private static int? Port(JsonNode? port, JsonObject container) =>
        port?.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? JsonNumber.Int(port)
            : (container["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(p => (string?)p["name"] == (string?)port).Select(p => JsonNumber.Int(p["containerPort"])).FirstOrDefault();
}
