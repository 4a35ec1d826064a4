using AiConformance.Plugin.Results;
using NUnit.Framework.Interfaces;
using SuiteOutcome = AiConformance.Suite.Framework.Outcome;

namespace AiConformance.Plugin.Running;

/// <summary>
/// What an NUnit result means for the checklist. Only a pass passes and only an assertion that did not hold is a
/// failure; a crash, an invalid test or a timeout is an error. Inconclusive is the suite's needs attestation. N/A
/// comes only from the suite's not-applicable outcome, recognised by its label. Every other result (a warning, an
/// ignored, explicit or skipped test) is a defect of the fixture rather than a fact about the cluster: it needs
/// attestation, with a note saying what NUnit reported, so it can neither pass a requirement nor make it N/A.
/// </summary>
public static class NUnitOutcome
{
    /// <summary>NUnit's own wording when its Timeout or CancelAfter attribute ends a test (label and all, it reads as a failure).</summary>
    private static readonly string[] TimeLimitMessages = ["Test exceeded Timeout value", "Test exceeded CancelAfter value"];

    public static (TestOutcome Outcome, string Message) Of(ResultState state, string message)
    {
        message = message.Trim();
        return state.Status switch
        {
            TestStatus.Passed => (TestOutcome.Passed, message),
            TestStatus.Failed when TimeLimitMessages.Any(m => message.StartsWith(m, StringComparison.Ordinal)) =>
                (TestOutcome.Error, $"timed out: {message}"),
            TestStatus.Failed when state.Label is "" => (TestOutcome.Failed, message),
            TestStatus.Failed => (TestOutcome.Error, message),
            TestStatus.Skipped when state.Label == SuiteOutcome.NotApplicableLabel => (TestOutcome.NotApplicable, message),
            TestStatus.Inconclusive => (TestOutcome.NeedsAttestation, message),
            _ => (TestOutcome.NeedsAttestation, $"{Unrecognised(state)}; not a pass, and N/A only through the suite's not-applicable outcome: {Or(message)}"),
        };
    }

    private static string Unrecognised(ResultState state) => state.Status switch
    {
        TestStatus.Warning => "NUnit reported a warning",
        TestStatus.Skipped when state.Label == ResultState.Ignored.Label => "the test was ignored",
        TestStatus.Skipped when state.Label == ResultState.Explicit.Label => "the test is explicit and did not run",
        _ => $"NUnit reported {state}",
    };

    private static string Or(string message) => message.Length == 0 ? "(no message)" : message;
}
