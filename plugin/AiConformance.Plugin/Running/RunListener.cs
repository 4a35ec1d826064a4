using AiConformance.Plugin.Results;
using NUnit.Framework.Interfaces;

namespace AiConformance.Plugin.Running;

/// <summary>
/// Receives NUnit's events for the selected tests and turns each finished test case into a <see cref="TestRecord"/>.
/// After a stop (deadline or signal) anything that did not pass counts as interrupted. When tests run side by side,
/// NUnit calls <see cref="TestStarted"/> on the test's own worker just before the test runs: the
/// <see cref="HoldingsScheduler"/> holds it there until its holdings are free.
/// </summary>
internal sealed class RunListener(
    IReadOnlyDictionary<string, SuiteTest> selected,
    Func<bool> stopRequested,
    Action<TestRecord> finished,
    HoldingsScheduler? scheduler = null) : ITestListener
{
    public const string InterruptedPrefix = "interrupted";

    public const string NotStartedMessage = $"{InterruptedPrefix}: the run was stopped before this test started";

    private readonly object gate = new();
    private readonly Dictionary<string, TestRecord> records = new();
    private readonly HashSet<string> running = new();
    private readonly HashSet<string> startedAfterStop = new();
    private readonly List<FixtureOutput> fixtureOutputs = new();
    private bool closed;

    /// <summary>Records of the tests that finished, by NUnit id.</summary>
    public IReadOnlyDictionary<string, TestRecord> Records
    {
        get { lock (gate) { return new Dictionary<string, TestRecord>(records); } }
    }

    /// <summary>What fixtures wrote outside their tests (one-time setup and teardown), by requirement.</summary>
    public IReadOnlyList<FixtureOutput> FixtureOutputs
    {
        get { lock (gate) { return fixtureOutputs.ToList(); } }
    }

    /// <summary>Ignores everything from now on: an abandoned test that ends late must not touch finished reports.</summary>
    public void Close()
    {
        lock (gate) { closed = true; }
    }

    public bool IsRunning(string id)
    {
        lock (gate) { return running.Contains(id); }
    }

    public void TestStarted(ITest test)
    {
        if (test.IsSuite || !selected.TryGetValue(test.Id, out var suiteTest))
        {
            return;
        }
        scheduler?.Acquire(suiteTest.Holdings);
        lock (gate)
        {
            // A test let through by the stop runs on a cancelled token only to end: it never really started.
            (stopRequested() ? startedAfterStop : running).Add(test.Id);
        }
    }

    public void TestFinished(ITestResult result)
    {
        if (result.Test.IsSuite)
        {
            // A test its fixture ended without running (a failed one-time setup) no longer keeps others waiting.
            foreach (var id in TestIds(result.Test)) scheduler?.Release(id);
            RecordFixtureOutput(result);
            return;
        }
        if (!selected.TryGetValue(result.Test.Id, out var suiteTest))
        {
            return;
        }
        scheduler?.Release(result.Test.Id);
        bool notStarted;
        lock (gate)
        {
            notStarted = startedAfterStop.Contains(result.Test.Id);
        }
        var record = ToRecord(suiteTest, result, stopRequested(), notStarted);
        lock (gate)
        {
            running.Remove(result.Test.Id);
            if (closed || !records.TryAdd(result.Test.Id, record))
            {
                return;
            }
        }
        finished(record);
    }

    private static IEnumerable<string> TestIds(ITest test) =>
        test.IsSuite ? test.Tests.SelectMany(TestIds) : [test.Id];

    private void RecordFixtureOutput(ITestResult result)
    {
        if (string.IsNullOrWhiteSpace(result.Output) || SuiteAssembly.RequirementOf(result.Test) is not { } requirementId)
        {
            return;
        }
        lock (gate)
        {
            fixtureOutputs.Add(new FixtureOutput(requirementId, result.Test.Name, result.Output));
        }
    }

    public void TestOutput(TestOutput output)
    {
    }

    public void SendMessage(TestMessage message)
    {
    }

    private static TestRecord ToRecord(SuiteTest test, ITestResult result, bool stopped, bool notStarted)
    {
        var (outcome, message) = NUnitOutcome.Of(result.ResultState, result.Message ?? "");
        if (notStarted)
        {
            (outcome, message) = (TestOutcome.Error, NotStartedMessage);
        }
        else if (stopped && outcome != TestOutcome.Passed)
        {
            outcome = TestOutcome.Error;
            message = $"{InterruptedPrefix}: the run was stopped while this test ran" + (message.Length > 0 ? $" ({message})" : "");
        }
        return new TestRecord(test.Name, test.RequirementId, outcome, message)
        {
            Started = result.StartTime,
            Duration = TimeSpan.FromSeconds(result.Duration),
            Output = result.Output ?? "",
            Details = result.StackTrace ?? "",
        };
    }
}
