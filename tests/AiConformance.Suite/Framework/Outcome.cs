using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The two outcomes besides pass and fail. Not applicable: the requirement's own condition does not hold (NUnit
/// Ignored, written as N/A with the reason). Needs attestation: the suite cannot decide (NUnit Inconclusive, written
/// with an empty status and a note saying what a person must add). Neither is ever a pass.
/// </summary>
public static class Outcome
{
    public static void NotApplicable(string reason) => Assert.Ignore(reason);

    public static void NeedsAttestation(string whatAPersonMustAdd) => Assert.Inconclusive(whatAPersonMustAdd);
}
