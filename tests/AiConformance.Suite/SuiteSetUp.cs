using AiConformance.Suite.Framework;
using NUnit.Framework;

namespace AiConformance.Suite;

/// <summary>Once per run, around every fixture of the suite: sweep what aborted runs left, and what this one did.</summary>
[SetUpFixture]
public sealed class SuiteSetUp
{
    [OneTimeSetUp]
    public Task SweepLeftoversOfEarlierRunsAsync() => LeftoverSweep.SweepEarlierRunsAsync(RunContext.Current);

    [OneTimeTearDown]
    public Task SweepWhatThisRunLeftAsync() => LeftoverSweep.SweepThisRunAsync(RunContext.Current);
}
