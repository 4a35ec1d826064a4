using System.Net;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Retries API requests the server refused for a passing reason, as client-go does: 429 (after its Retry-After) and
/// 503 for every verb, since the server did not act on them; 500, 502 and 504 only for reads, deletes and replaces,
/// whose repetition is harmless. A fixture then fails for what the cluster does, not for a moment of overload.
/// </summary>
public sealed class TransientErrorRetryHandler : DelegatingHandler
{
    public const int Attempts = 5;

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (attempt == Attempts || !IsTransient(request.Method, response.StatusCode)) return response;
            var pause = response.Headers.RetryAfter?.Delta ?? FirstPause * Math.Pow(2, attempt - 1);
            response.Dispose();
            await Task.Delay(pause < LongestPause ? pause : LongestPause, cancellationToken);
        }
    }

    public static bool IsTransient(HttpMethod method, HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => true,
        HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout =>
            method == HttpMethod.Get || method == HttpMethod.Delete || method == HttpMethod.Put,
        _ => false,
    };
}
