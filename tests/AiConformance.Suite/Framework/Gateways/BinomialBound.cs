namespace AiConformance.Suite.Framework.Gateways;

/// <summary>
/// How far a weighted split may stray by chance: with N requests each sent to a backend with probability p, its count
/// is binomial (mean N·p, standard deviation √(N·p·(1-p))); the bound is z standard deviations, z for a two-sided
/// <see cref="Confidence"/>. A gateway that honours the weights falls outside it once in a thousand runs; one that
/// ignores them (round-robin over three backends of weights 80/20/0 gives a third each) falls far outside.
/// </summary>
public sealed record BinomialBound(int Requests, double Share, double Bound)
{
    public const double Confidence = 0.999;

    /// <summary>The two-sided 99.9 % quantile of the standard normal distribution.</summary>
    private const double Z = 3.2905;

    public double Expected => Requests * Share;

    public static BinomialBound For(int requests, double share) =>
        new(requests, share, Math.Ceiling(Z * Math.Sqrt(requests * share * (1 - share))));

    public bool Contains(int count) => Math.Abs(count - Expected) <= Bound;

    public override string ToString() =>
        $"expected {Expected:0.#} of {Requests} (share {Share:P0}) ± {Bound:0} (binomial, {Confidence:P1} confidence)";
}
