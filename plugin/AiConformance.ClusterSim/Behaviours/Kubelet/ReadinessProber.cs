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

    /// <summary>Runs the probe once; null when it passed, else why not, in the kubelet's words.</summary>
    public static async Task<string?> FailureAsync(PodNetwork network, PodSandbox pod, JsonObject container, CancellationToken cancellationToken)
    {
        var probe = container["readinessProbe"] as JsonObject ?? [];
        // Everything the probe needs of the spec is read before the first wait: the prober runs beside the kubelet's pass.
        var tcp = probe["tcpSocket"] is JsonObject;
        var action = probe["httpGet"] as JsonObject ?? probe["tcpSocket"] as JsonObject ?? [];
        if (Port(action["port"], container) is not { } port) return $"port {action["port"]?.ToJsonString()} is not a port of the container";
        var dial = $"dial tcp {pod.Ip}:{port}";
        var url = $"http://{pod.Ip}:{port}{(string?)action["path"] ?? "/"}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, JsonNumber.Int(probe["timeoutSeconds"]) ?? 1)));
        try
        {
            if (tcp)
            {
                await using var connection = await network.ConnectAsync(pod, pod.Ip, port, timeout.Token);
                return null;
            }
            // The kubelet probes from the node, by the pod's address.
            using var client = new HttpClient(network.CreateHttpHandler(pod));
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var header in (action["httpHeaders"] as JsonArray ?? []).OfType<JsonObject>())
                request.Headers.TryAddWithoutValidation((string?)header["name"] ?? "", (string?)header["value"] ?? "");
            using var response = await client.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 400 ? null : $"HTTP probe failed with statuscode: {status}";
        }
        catch (Exception e) when (Dialing(e) is { } error)
        {
            return tcp ? $"{dial}: {error}" : $"Get \"{url}\": {dial}: {error}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return tcp ? $"{dial}: i/o timeout" : $"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return $"Get \"{url}\": {e.Message}";
        }
    }

    /// <summary>A connection error as Go's net package words it, or null when the failure is not one.</summary>
    private static string? Dialing(Exception e) => (e as SocketException ?? e.InnerException as SocketException)?.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connect: connection refused",
        SocketError.HostUnreachable => "connect: no route to host",
        { } other => $"connect: {other}",
        null => null,
    };

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private static int? Port(JsonNode? port, JsonObject container) =>
        port?.GetValueKind() == System.Text.Json.JsonValueKind.Number
            ? JsonNumber.Int(port)
            : (container["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(p => (string?)p["name"] == (string?)port).Select(p => JsonNumber.Int(p["containerPort"])).FirstOrDefault();
}
