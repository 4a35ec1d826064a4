using System.Net;
using System.Security.Authentication;
using k8s.Autorest;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The one definition of a failure that passes, used by the request retry handler, every wait and every stream read:
/// an answer the server gave for a passing reason (429, 5xx), and a broken transport (connection refused or reset, a
/// response or stream cut short, an HTTP/2 stream reset). Real clusters show both: load balancers cut idle streams
/// and API servers restart. A read that meets one is repeated; a wait lists again and resumes.
/// </summary>
public static class TransientErrors
{
    /// <summary>
    /// Whether an answer asks for the request to be repeated, as client-go decides it: 429 (after its Retry-After)
    /// and 503 for every verb, since the server did not act on them; 500, 502 and 504 only for reads, deletes and
    /// replaces, whose repetition is harmless.
    /// </summary>
    public static bool IsTransient(HttpMethod method, HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable => true,
        HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout =>
            method == HttpMethod.Get || method == HttpMethod.Delete || method == HttpMethod.Put,
        _ => false,
    };

    /// <summary>
    /// Whether a read (a list, a watch, a log) failed for a passing reason, so that reading again may succeed.
    /// A certificate the client refuses is no passing reason.
    /// </summary>
    public static bool IsDroppedRead(Exception error) => error switch
    {
        HttpOperationException { Response: { } answer } => IsTransient(HttpMethod.Get, answer.StatusCode),
        HttpRequestException { InnerException: AuthenticationException } => false,
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>One line for the evidence: the error's type, what it wraps, and its message's first line.</summary>
    public static string Describe(Exception error)
    {
        var inner = error.InnerException is { } cause ? $" ({cause.GetType().Name})" : "";
        var status = error is HttpOperationException { Response: { } answer } ? $" {(int)answer.StatusCode}" : "";
        return $"{error.GetType().Name}{status}{inner}: {error.Message.Split('\n')[0].Trim()}";
    }
}
