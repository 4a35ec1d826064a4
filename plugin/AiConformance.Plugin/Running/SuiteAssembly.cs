using System.Reflection;
using AiConformance.Checklist;
using AiConformance.Suite.Framework;
using NUnit;
using NUnit.Framework.Api;
using NUnit.Framework;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace AiConformance.Plugin.Running;

/// <summary>A test case of the suite bound to a requirement, with its JUnit name and what it holds.</summary>
public sealed record SuiteTest(string Id, string RequirementId, string Name, string FullName)
{
    internal TestHoldings Holdings { get; init; } = new(Id, 0, []);
}

/// <summary>
/// The test assembly loaded into NUnit's own runner (no SDK, no console runner): by default AiConformance.Suite,
/// which this executable references. Every test case is bound to the requirement named by the nearest
/// <see cref="RequirementAttribute"/> on it or on an enclosing fixture.
/// </summary>
public sealed class SuiteAssembly
{
    private SuiteAssembly(NUnitTestAssemblyRunner runner, IReadOnlyList<SuiteTest> tests)
    {
        Runner = runner;
        Tests = tests;
    }

    public NUnitTestAssemblyRunner Runner { get; }

    /// <summary>Every test case that names a requirement, in the order NUnit loaded them.</summary>
    public IReadOnlyList<SuiteTest> Tests { get; }

    /// <summary>
    /// Loads the suite. With <paramref name="workers"/> 0 the tests run one at a time on the runner's own thread; with
    /// more, every fixture and test is made parallelizable for that many NUnit workers, and the
    /// <see cref="HoldingsScheduler"/> (called from the listener) decides which of them actually run side by side.
    /// </summary>
    public static SuiteAssembly Load(string? path, int workers = 0)
    {
        var assembly = path is null ? typeof(RunContext).Assembly : LoadFrom(path);
        var runner = new NUnitTestAssemblyRunner(new DefaultTestAssemblyBuilder());
        var settings = new Dictionary<string, object>
        {
            // Events are delivered on the test's own worker as they happen: the listener's TestStarted is the gate.
            [FrameworkPackageSettings.RunOnMainThread] = workers == 0,
            [FrameworkPackageSettings.NumberOfTestWorkers] = workers,
            [FrameworkPackageSettings.SynchronousEvents] = true,
        };
        var loaded = runner.Load(assembly, settings);
        // An assembly without fixtures is NotRunnable to NUnit; for the runner it is just an empty suite.
        if (loaded.RunState == RunState.NotRunnable && loaded.HasChildren)
        {
            throw new RunSetupException(ExitCodes.UsageError,
                $"the test assembly {assembly.GetName().Name} cannot be run: {loaded.Properties.Get("_SKIPREASON")}");
        }
        var tests = new List<SuiteTest>();
        Collect(loaded, null, tests);
        if (workers > 0)
        {
            // After Collect, which reads an author's [NonParallelizable] as holding everything.
            MakeParallelizable(loaded);
            // A worker for every test, so that tests waiting for their holdings can never keep one that must go first
            // (a test that runs alone, which the others wait for) from reaching the scheduler. NUnit reads this at Run.
            settings[FrameworkPackageSettings.NumberOfTestWorkers] = Math.Max(workers, tests.Count + 1);
        }
        return new SuiteAssembly(runner, tests);
    }

    /// <summary>The requirement a test or fixture is bound to: its own or the nearest enclosing one's.</summary>
    public static string? RequirementOf(ITest? test)
    {
        for (; test is not null; test = test.Parent)
        {
            if (test.Properties.Get(RequirementAttribute.RequirementProperty) is string id)
            {
                return id;
            }
        }
        return null;
    }

    /// <summary>The part of a JUnit name after the requirement: the test's name without spaces.</summary>
    public static string Behaviour(ITest test) => string.Concat(test.Name.Where(c => !char.IsWhiteSpace(c)));

    private static Assembly LoadFrom(string path)
    {
        try
        {
            return Assembly.LoadFrom(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or ArgumentException)
        {
            throw new RunSetupException(ExitCodes.UsageError, $"cannot load the test assembly {path}: {e.Message}");
        }
    }

    private static void Collect(ITest test, string? requirementId, List<SuiteTest> tests)
    {
        requirementId = test.Properties.Get(RequirementAttribute.RequirementProperty) as string ?? requirementId;
        if (!test.IsSuite)
        {
            if (requirementId is not null)
            {
                tests.Add(new SuiteTest(test.Id, requirementId, TestNames.ForTest(requirementId, Behaviour(test)), test.FullName)
                {
                    Holdings = TestHoldings.Of(test, tests.Count),
                });
            }
            return;
        }
        foreach (var child in InExecutionOrder(test.Tests))
        {
            Collect(child, requirementId, tests);
        }
    }

    /// <summary>
    /// A suite's children in the order NUnit runs them: those with <c>[Order]</c> first, by it, then the rest as loaded.
    /// The loaded order follows reflection, which does not keep declaration order, and the scheduler's "placed before"
    /// must be the order authors wrote.
    /// </summary>
    private static IEnumerable<ITest> InExecutionOrder(IList<ITest> children) =>
        children.Select((child, loaded) => (child, loaded))
            .OrderBy(entry => entry.child.Properties.Get(PropertyNames.Order) as int? ?? int.MaxValue)
            .ThenBy(entry => entry.loaded)
            .Select(entry => entry.child);

    /// <summary>What <c>[Parallelizable(ParallelScope.All)]</c> on every fixture and test would say, set by the runner alone (under `dotnet test` the suite stays sequential).</summary>
    private static void MakeParallelizable(ITest test)
    {
        test.Properties.Set(PropertyNames.ParallelScope, test.IsSuite ? ParallelScope.Self | ParallelScope.Children : ParallelScope.Self);
        foreach (var child in test.Tests)
        {
            MakeParallelizable(child);
        }
    }
}
