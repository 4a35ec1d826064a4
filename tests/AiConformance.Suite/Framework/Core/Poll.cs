namespace AiConformance.Suite.Framework;

/// <summary>
/// The wait for what cannot be watched (an HTTP endpoint: a server's metrics, a load's summary, a query API): reads it
/// every <c>interval</c> until the condition holds or <c>within</c> has passed, always at least once. It returns the
/// last reading and whether it satisfied, and leaves to the caller what a miss means (a failure, or a reason a person
/// must judge). Anything the API server can watch waits with <see cref="Wait"/> instead.
/// </summary>
public static class Poll
{
    public static async Task<(T Last, bool Satisfied)> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> satisfied, TimeSpan within,
        TimeSpan interval, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + within;
        while (true)
        {
            var last = await read();
            if (satisfied(last)) return (last, true);
            if (DateTimeOffset.UtcNow + interval > deadline) return (last, false);
            await Task.Delay(interval, cancellationToken);
        }
    }
}
