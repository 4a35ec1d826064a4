using System.Collections;
using System.Diagnostics;
using AiConformance.Checklist;
using AiConformance.ClusterSim.Discovery;
using AiConformance.Plugin.Reports;
using AiConformance.Plugin.Results;
using AiConformance.Plugin.Sonobuoy;
using AiConformance.Suite;
using AiConformance.Suite.Framework;

namespace AiConformance.Plugin.Running;

/// <summary>
/// One conformance run from request to reports: configuration, cluster, checklist version, selection, the suite run
/// in-process, then junit.xml, e2e.log, the filled checklist, evidence and summary (and under Sonobuoy the archive and
/// <c>done</c>). Safe to call many times in one process: the run context is set for the run and reset after it.
/// </summary>
public static class ConformanceRun
{
    /// <summary>How long the end of a run waits for progress posts still queued (a hung endpoint delays the end by at most this).</summary>
    private static readonly TimeSpan ProgressDrainLimit = TimeSpan.FromSeconds(30);

    public static async Task<RunResult> ExecuteAsync(RunRequest request, CancellationToken cancellation)
    {
        var output = request.Output ?? Console.Out;
        var errors = request.ErrorOutput ?? Console.Error;
        var environment = request.Environment ?? ProcessEnvironment();
        var sonobuoy = SonobuoyEnvironment.From(environment);
        var started = DateTimeOffset.UtcNow;
        // Under Sonobuoy the results must be where its worker looks, whatever --output says.
        var directory = Path.GetFullPath(sonobuoy?.ResultsDirectory
            ?? request.OutputDirectory
            ?? Path.Combine("results", started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)));
        if (request.Simulated)
        {
            output.WriteLine(Banner(request));
        }
        try
        {
            return await RunAsync(request, environment, sonobuoy, directory, started, output, cancellation).ConfigureAwait(false);
        }
        catch (RunSetupException e)
        {
            return CouldNotRun(e.ExitCode, e.Message, e.Message);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            const string stopped = "interrupted: the run was stopped before the tests started";
            return CouldNotRun(ExitCodes.NotConformant, stopped, stopped);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A defect of the plugin itself: still one line for the user, and under Sonobuoy the details and `done`.
            return CouldNotRun(ExitCodes.NotConformant, $"internal error: {e.GetType().Name}: {e.Message}", e.ToString());
        }
        finally
        {
            RunContext.Reset();
        }

        RunResult CouldNotRun(int exitCode, string message, string details)
        {
            errors.WriteLine($"error: {message}");
            if (sonobuoy is not null)
            {
                SetupFailure.Report(sonobuoy, details, request.Simulated);
            }
            return new RunResult { ExitCode = exitCode, OutputDirectory = directory, Error = message };
        }
    }

    /// <summary>The line printed first by every simulated run.</summary>
    public static string Banner(RunRequest request) =>
        $"*** SIMULATED{(request.SimulationName is null ? "" : $" (scenario {request.SimulationName})")}: running against the embedded simulated cluster; the results are NOT a conformance result ***";

    private static async Task<RunResult> RunAsync(
        RunRequest request, IReadOnlyDictionary<string, string> environment, SonobuoyEnvironment? sonobuoy,
        string directory, DateTimeOffset started, TextWriter output, CancellationToken cancellation)
    {
        var configuration = LoadConfiguration(request, environment, sonobuoy);
        var named = request.ChecklistVersion is null ? null : Guard(() => ChecklistSelection.Named(request.ChecklistVersion));
        var cleanupGrace = request.CleanupGrace ?? Guard(() => RunnerSettings.CleanupGrace(configuration));
        var parallel = request.Parallel ?? Guard(() => RunnerSettings.Parallel(configuration));
        Guard(() => Timeouts.From(configuration));
        var connection = await ClusterConnection.ConnectAsync(request, environment, cancellation).ConfigureAwait(false);
        if (!request.Simulated && SimulatedVersion.IsSimulated(connection.ServerVersion))
        {
            // A run through a kubeconfig of `aiconformance sim serve` is as simulated as a demo, and says so everywhere.
            request = request with { Simulated = true };
            output.WriteLine(Banner(request));
        }
        var checklist = named ?? ChooseChecklist(sonobuoy, connection, output);
        var requirements = RequirementSelection.Select(checklist, request.Levels, request.Sections, request.Requirements, request.SkipRequirements);
        CreateResultsFolder(directory);

        using var testsCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (request.Timeout is { } timeout)
        {
            stop.CancelAfter(timeout);
        }
        var runId = RunContext.NewRunId();
        // Set before the suite loads: test case sources may detect what the cluster has while NUnit builds the tests.
        RunContext.Current = new RunContext
        {
            Kubernetes = connection.Kubernetes,
            RunId = runId,
            Checklist = checklist,
            Configuration = configuration,
            Cancellation = testsCancellation.Token,
        };
        var sideBySide = await SideBySide.PlanAsync(RunContext.Current, parallel).ConfigureAwait(false);
        var suite = SuiteAssembly.Load(request.SuiteAssemblyPath, sideBySide.Workers);
        var selectedIds = requirements.Select(r => r.Id).ToHashSet();
        var tests = suite.Tests.Where(t => selectedIds.Contains(t.RequirementId)).ToList();
        output.WriteLine($"aiconformance: run {runId}, checklist {checklist.Version}, cluster {connection.Server} (Kubernetes {connection.ServerVersion})");
        output.WriteLine($"aiconformance: {tests.Count} tests for {requirements.Count} requirements; results in {directory}");
        output.WriteLine($"aiconformance: {sideBySide.Reason}");

        using var progress = new ProgressReporter(sonobuoy?.ProgressPort);
        var progressQueue = new ProgressQueue(progress);
        progressQueue.Enqueue(p => p.StartedAsync(tests.Count, $"running {tests.Count} tests of checklist {checklist.Version}"));
        var clock = Stopwatch.StartNew();
        var finishedCount = 0;
        var scheduler = sideBySide.Parallel ? new HoldingsScheduler(sideBySide.Bound, sideBySide.AcceleratorUnits, tests.Select(t => t.Holdings)) : null;
        RunContext.Current.HoldingsGivenBack = scheduler is null ? null : scheduler.GiveBack;
        var execution = await new SuiteExecution(suite, tests, cleanupGrace, scheduler).RunAsync(
            testsCancellation, stop.Token,
            finished: record =>
            {
                var index = Interlocked.Increment(ref finishedCount);
                output.WriteLine(ProgressLine(record, index, tests.Count));
                progressQueue.Enqueue(p => p.TestFinishedAsync(record.Name, record.IsFailure, Verdict(record)));
            }).ConfigureAwait(false);
        if (execution.RunnerFailure is { } failure)
        {
            output.WriteLine($"aiconformance: warning: the NUnit runner failed: {failure}");
        }
        if (execution.Interrupted)
        {
            output.WriteLine("aiconformance: the run was stopped (deadline or signal); unfinished tests are recorded as interrupted");
        }

        var requirementReports = RequirementReports(requirements, execution);
        var exitCode = ExitCodeOf(requirementReports);
        var report = new RunReport
        {
            Checklist = checklist,
            Requirements = requirementReports,
            RunId = runId,
            ServerVersion = connection.ServerVersion,
            Started = started,
            Duration = clock.Elapsed,
            Simulated = request.Simulated,
            SimulationName = request.SimulationName,
            Interrupted = execution.Interrupted,
            ExitCode = exitCode,
            Metadata = RunnerSettings.Metadata(configuration),
            Parallel = sideBySide.Bound,
        };
        ReportWriter.WriteAll(directory, report);
        var timings = RunTimings.Of(report.Tests, report.Duration);
        PrintSummary(output, report, request, directory);
        output.WriteLine($"aiconformance: {timings.Line}");

        progressQueue.Enqueue(p => p.FinishedAsync($"finished: {SummaryReport.Verdict(report)}"));
        await progressQueue.DrainAsync(ProgressDrainLimit).ConfigureAwait(false);
        if (sonobuoy is not null)
        {
            ResultsArchive.WriteArchiveAndDone(directory);
        }
        return new RunResult
        {
            ExitCode = exitCode,
            OutputDirectory = directory,
            ChecklistVersion = checklist.Version,
            Interrupted = execution.Interrupted,
            Requirements = requirementReports.Select(r => new RequirementResult(
                r.Requirement.Id, r.Requirement.Section, r.Requirement.LevelText, r.Status, r.Passed, r.Failed, r.Skipped, r.Notes)).ToList(),
            Tests = requirementReports.SelectMany(r => r.Tests).ToList(),
            Timings = timings,
        };
    }

    private static List<RequirementReport> RequirementReports(IReadOnlyList<Requirement> requirements, SuiteExecution.Outcome execution) =>
        requirements.Select(r =>
        {
            var own = execution.Records.Where(t => t.RequirementId == r.Id).ToList();
            var (status, notes) = RequirementVerdict.Decide(own, AttestationOnly.ReasonFor(r.Id));
            return new RequirementReport(r, status, notes, own)
            {
                FixtureOutputs = execution.FixtureOutputs.Where(f => f.RequirementId == r.Id).ToList(),
            };
        }).ToList();

    /// <summary>0 when every selected MUST requirement is Implemented or N/A; SHOULD requirements do not count.</summary>
    private static int ExitCodeOf(IEnumerable<RequirementReport> requirements) =>
        requirements.All(r => r.Requirement.Level != RequirementLevel.Must || r.Status.SatisfiesMust())
            ? ExitCodes.Conformant
            : ExitCodes.NotConformant;

    private static void PrintSummary(TextWriter output, RunReport report, RunRequest request, string directory)
    {
        output.WriteLine();
        output.Write(SummaryReport.RenderTable(report));
        if (request.Simulated)
        {
            output.WriteLine(Banner(request));
        }
        output.WriteLine($"aiconformance: {SummaryReport.Verdict(report)}; reports in {directory}");
    }

    private static void CreateResultsFolder(string directory)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunSetupException(ExitCodes.UsageError, $"cannot write the results to {directory}: {e.Message}; hint: pass --output with a writable folder");
        }
    }

    private static SuiteConfiguration LoadConfiguration(
        RunRequest request, IReadOnlyDictionary<string, string> environment, SonobuoyEnvironment? sonobuoy)
    {
        var variables = new Hashtable();
        foreach (var (name, value) in environment)
        {
            variables[name] = value;
        }
        var loaded = Guard(() => SuiteConfiguration.Load(request.ConfigPath ?? sonobuoy?.ConfigFile, variables, RunnerSettings.Keys));
        if (request.ConfigurationDefaults is not { Count: > 0 } defaults) return loaded;
        var merged = new Dictionary<string, string>(defaults, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in loaded.Values) merged[key] = value;
        return new SuiteConfiguration(merged);
    }

    private static ChecklistVersion ChooseChecklist(SonobuoyEnvironment? sonobuoy, ClusterConnection connection, TextWriter output)
    {
        var reported = sonobuoy?.KubernetesVersion;
        ChecklistChoice choice;
        try
        {
            choice = reported is not null && TryChoose(reported) is { } fromSonobuoy
                ? fromSonobuoy
                : ChecklistSelection.ForServerVersion(connection.ServerVersion);
        }
        catch (ChecklistSelectionException e)
        {
            throw new RunSetupException(ExitCodes.UsageError, e.Message);
        }
        if (choice.Warning is { } warning)
        {
            output.WriteLine($"aiconformance: warning: {warning}");
        }
        return choice.Checklist;
    }

    private static ChecklistChoice? TryChoose(string version)
    {
        try
        {
            return ChecklistSelection.ForServerVersion(version);
        }
        catch (ChecklistSelectionException)
        {
            return null;
        }
    }

    private static T Guard<T>(Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is ConfigurationException or ChecklistSelectionException)
        {
            throw new RunSetupException(ExitCodes.UsageError, e.Message);
        }
    }

    private static string ProgressLine(TestRecord record, int index, int total)
    {
        var counter = $"[{index}/{total}]";
        var verdict = GoTestLog.Verdict(record);
        var detail = record.Outcome switch
        {
            TestOutcome.Passed => "",
            TestOutcome.NotApplicable => $": not applicable: {FirstLine(record.Message)}",
            TestOutcome.NeedsAttestation => $": needs attestation: {FirstLine(record.Message)}",
            _ => $": {FirstLine(record.Message)}",
        };
        return $"{counter} {verdict}  {record.Name} ({record.Duration.TotalSeconds:0.00}s){detail}";
    }

    /// <summary>The word the upstream e2e framework puts before a finished test in its progress messages.</summary>
    private static string Verdict(TestRecord record) => record.Outcome switch
    {
        TestOutcome.Passed => "PASSED",
        TestOutcome.Failed or TestOutcome.Error => "FAILED",
        _ => "SKIPPED",
    };

    private static string FirstLine(string text) => MessageSummary.Of(text, 200);

    /// <summary>The process environment as a dictionary.</summary>
    public static Dictionary<string, string> ProcessEnvironment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[entry.Key.ToString()!] = entry.Value?.ToString() ?? "";
        }
        return result;
    }

    /// <summary>Posts progress one at a time, off the test thread, so a slow endpoint never holds a test.</summary>
    private sealed class ProgressQueue(ProgressReporter reporter)
    {
        private readonly object gate = new();
        private Task tail = Task.CompletedTask;

        public void Enqueue(Func<ProgressReporter, Task> post)
        {
            lock (gate)
            {
                tail = tail.ContinueWith(_ => post(reporter), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        }

        public Task DrainAsync(TimeSpan limit)
        {
            lock (gate)
            {
                return Task.WhenAny(tail, Task.Delay(limit));
            }
        }
    }
}
