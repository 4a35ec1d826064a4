namespace AiConformance.Suite.Framework;

/// <summary>
/// Retries API requests that failed for a passing reason (<see cref="TransientErrors"/>), as client-go does: answers
/// the server gave for a passing reason, and reads whose connection broke before an answer came. A fixture then fails
/// for what the cluster does, not for a moment of overload or a restarting API server.
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
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch (Exception error) when (attempt < Attempts && request.Method == HttpMethod.Get
                                          && !cancellationToken.IsCancellationRequested && TransientErrors.IsDroppedRead(error))
            {
                await Task.Delay(Pause(attempt, null), cancellationToken);
                continue;
            }
            if (attempt == Attempts || !TransientErrors.IsTransient(request.Method, response.StatusCode)) return response;
            var pause = Pause(attempt, response.Headers.RetryAfter?.Delta);
            response.Dispose();
            await Task.Delay(pause, cancellationToken);
        }
    }

    private static TimeSpan Pause(int attempt, TimeSpan? retryAfter)
    {
        var pause = retryAfter ?? FirstPause * Math.Pow(2, attempt - 1);
        return pause < LongestPause ? pause : LongestPause;
    }
}
