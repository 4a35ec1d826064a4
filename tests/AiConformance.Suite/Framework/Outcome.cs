using System.Diagnostics.CodeAnalysis;
using NUnit.Framework;
using NUnit.Framework.Interfaces;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The two outcomes besides pass and fail. Not applicable: the requirement's own condition does not hold (written as
/// N/A with the reason). Needs attestation: the suite cannot decide (written with an empty status and a note saying
/// what a person must add). Neither is ever a pass. Each ends the test with a result of its own label, so the runner
/// tells them from an NUnit ignore, skip, inconclusive or warning that a fixture produced by mistake.
/// </summary>
public static class Outcome
{
    /// <summary>Label of the (skipped) result <see cref="NotApplicable"/> ends a test with.</summary>
    public const string NotApplicableLabel = "NotApplicable";

    /// <summary>Label of the (inconclusive) result <see cref="NeedsAttestation"/> ends a test with.</summary>
    public const string NeedsAttestationLabel = "NeedsAttestation";

    [DoesNotReturn]
    public static void NotApplicable(string reason) =>
        throw new OutcomeException(new ResultState(TestStatus.Skipped, NotApplicableLabel), reason);

    [DoesNotReturn]
    public static void NeedsAttestation(string whatAPersonMustAdd) =>
        throw new OutcomeException(new ResultState(TestStatus.Inconclusive, NeedsAttestationLabel), whatAPersonMustAdd);

    /// <summary>NUnit records a <see cref="ResultStateException"/> as its result state, with the message as the reason.</summary>
    private sealed class OutcomeException(ResultState state, string message) : ResultStateException(message)
    {
        public override ResultState ResultState { get; } = state;
    }
}
