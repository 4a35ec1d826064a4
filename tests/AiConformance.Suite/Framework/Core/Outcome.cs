using System.Diagnostics.CodeAnalysis;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The two outcomes besides pass and fail. Not applicable: the requirement's own condition does not hold (written as
/// N/A with the reason); it ends the test with a skipped result of its own label, so the runner tells it from an NUnit
/// ignore or skip that a fixture produced by mistake, which is never N/A. Needs attestation: the suite cannot decide
/// (NUnit Inconclusive, written with an empty status and a note saying what a person must add). Neither is a pass.
/// </summary>
public static class Outcome
{
    /// <summary>Label of the (skipped) result <see cref="NotApplicable"/> ends a test with.</summary>
    public const string NotApplicableLabel = "NotApplicable";

    [DoesNotReturn]
    public static void NotApplicable(string reason) =>
        throw new NotApplicableException(reason);

    [DoesNotReturn]
    public static void NeedsAttestation(string whatAPersonMustAdd) => Assert.Inconclusive(whatAPersonMustAdd);

    /// <summary>NUnit records a <see cref="ResultStateException"/> as its result state, with the message as the reason.</summary>
    private sealed class NotApplicableException(string reason) : ResultStateException(reason)
    {
        public override ResultState ResultState { get; } = new(TestStatus.Skipped, NotApplicableLabel);
    }
}
