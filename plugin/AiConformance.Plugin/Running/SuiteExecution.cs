using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Running;

/// <summary>
/// Runs the selected tests on a dedicated background thread and waits for them, or for a stop (side by side, the
/// <see cref="HoldingsScheduler"/> starts those that must run alone first). On a stop the tests'
/// cancellation token is cancelled and NUnit is asked not to start further tests; running tests then get a bounded
/// grace period to clean up. A test that ignores cancellation is abandoned after it and reported as interrupted:
/// the reports never wait for it.
/// </summary>
internal sealed class SuiteExecution(SuiteAssembly suite, IReadOnlyList<SuiteTest> selected, TimeSpan cleanupGrace, HoldingsScheduler? scheduler = null)
{
    public sealed record Outcome(IReadOnlyList<TestRecord> Records, IReadOnlyList<FixtureOutput> FixtureOutputs, bool Interrupted, string? RunnerFailure);

    public async Task<Outcome> RunAsync(
        CancellationTokenSource testsCancellation, CancellationToken stop, Action<TestRecord> finished)
    {
        var byId = selected.ToDictionary(t => t.Id);
        var listener = new RunListener(byId, () => testsCancellation.IsCancellationRequested, finished, scheduler);
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? runnerFailure = null;
        var savedOut = Console.Out;
        var savedError = Console.Error;
        var thread = new Thread(() =>
        {
            try
            {
                // One NUnit run: NUnit dispatches every fixture at once, and the scheduler decides which tests start.
                suite.Runner.Run(listener, new SelectedTestsFilter(selected.Select(t => t.Id).ToHashSet()));
            }
            catch (Exception e)
            {
                runnerFailure = e.Message;
            }
            finally
            {
                completed.TrySetResult();
            }
        })
        { IsBackground = true, Name = "conformance-suite" };
        using (ExecutionContext.SuppressFlow())
        {
            thread.Start();
        }

        var stopped = false;
        try
        {
            await completed.Task.WaitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            stopped = true;
            await testsCancellation.CancelAsync().ConfigureAwait(false);
            RequestNoFurtherTests();
            scheduler?.Stop();
            await Task.WhenAny(completed.Task, Task.Delay(cleanupGrace, CancellationToken.None)).ConfigureAwait(false);
        }
        finally
        {
            // NUnit redirects the console while it runs; an abandoned run never gives it back.
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }

        listener.Close();
        var records = listener.Records;
        var alone = AloneTests();
        var all = selected
            .Select(t => (records.TryGetValue(t.Id, out var r) ? r : Unfinished(t, listener.IsRunning(t.Id), stopped)) with { RanAlone = alone.Contains(t.Id) })
            .ToList();
        return new Outcome(all, listener.FixtureOutputs, stopped && all.Any(r => r.Message.StartsWith(RunListener.InterruptedPrefix, StringComparison.Ordinal)), runnerFailure);
    }

    /// <summary>The tests that run by themselves: only side by side; one after another, every test runs alone anyway.</summary>
    private HashSet<string> AloneTests() =>
        scheduler is null ? [] : selected.Where(t => t.Holdings.Alone).Select(t => t.Id).ToHashSet();

    private void RequestNoFurtherTests()
    {
        try
        {
            suite.Runner.StopRun(force: false);
        }
        catch (Exception e) when (e is NotImplementedException or NotSupportedException or InvalidOperationException)
        {
            // Tests that start after the stop see a cancelled token and end at once.
        }
    }

    private static TestRecord Unfinished(SuiteTest test, bool running, bool stopped) =>
        new(test.Name, test.RequirementId, TestOutcome.Error,
            !stopped
                ? "the runner did not report a result for this test"
                : running
                    ? $"{RunListener.InterruptedPrefix}: the test did not finish within the cleanup grace period after the stop"
                    : RunListener.NotStartedMessage);
}
