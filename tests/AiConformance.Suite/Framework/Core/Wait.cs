using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Suite.Framework;

/// <summary>
/// Waits that read as sentences:
/// <code>
/// await Wait.For(ns.Pods()).Until("every member to run", AllRunning).DescribedBy(PodWaits.Describe)
///     .Within(ns.Timeouts.PodRunning).Async(ns.Cancellation);
/// await Wait.For(ns.Pods()).Holding("no member to be bound", NoneBound).DescribedBy(PodWaits.Describe)
///     .Within(window).Async(ns.Cancellation);
/// </code>
/// Both watch (see <see cref="Eventually"/>); the first ends as soon as its condition holds and fails on the deadline,
/// the second fails as soon as its condition stops holding and ends when the period is over.
/// </summary>
public static class Wait
{
    public static WaitFor<T> For<T>(Watchable<T> source) where T : IKubernetesObject<V1ObjectMeta> => new(source);
}

/// <summary>A wait being described; nothing happens until <see cref="Async"/>.</summary>
public sealed record WaitFor<T>(Watchable<T> Source) where T : IKubernetesObject<V1ObjectMeta>
{
    private string What { get; init; } = "";
    private Func<IReadOnlyList<T>, bool> Condition { get; init; } = _ => true;
    private bool MustKeepHolding { get; init; }
    private Func<IReadOnlyList<T>, string> Describe { get; init; } = seen => $"{seen.Count} object(s): {string.Join(", ", seen.Select(item => item.Metadata.Name))}";
    private TimeSpan? Deadline { get; init; }

    /// <summary>What is awaited: ends as soon as it holds.</summary>
    public WaitFor<T> Until(string what, Func<IReadOnlyList<T>, bool> condition) =>
        this with { What = what, Condition = condition, MustKeepHolding = false };

    /// <summary>A negative control: what must keep holding for the whole period.</summary>
    public WaitFor<T> Holding(string what, Func<IReadOnlyList<T>, bool> condition) =>
        this with { What = what, Condition = condition, MustKeepHolding = true };

    /// <summary>How the objects last seen are told in a failure message.</summary>
    public WaitFor<T> DescribedBy(Func<IReadOnlyList<T>, string> describe) => this with { Describe = describe };

    /// <summary>The deadline of an <see cref="Until"/> wait, or the period of a <see cref="Holding"/> one.</summary>
    public WaitFor<T> Within(TimeSpan deadline) => this with { Deadline = deadline };

    /// <summary>
    /// Runs an <see cref="Until"/> wait whose caller decides what a missed deadline means (look elsewhere, report,
    /// attest): whether the condition came to hold, and the objects last seen.
    /// </summary>
    public async Task<(bool Reached, IReadOnlyList<T> Seen)> ReachedAsync(CancellationToken cancellationToken)
    {
        if (What.Length == 0 || MustKeepHolding || Deadline is not { } deadline)
            throw new InvalidOperationException("ReachedAsync needs Until(...) and Within(...)");
        return await Eventually.WithinAsync(Source, Condition, What, deadline, cancellationToken, Describe);
    }

    /// <summary>Runs the wait; returns the objects last seen.</summary>
    public async Task<IReadOnlyList<T>> Async(CancellationToken cancellationToken)
    {
        if (What.Length == 0 || Deadline is not { } deadline)
            throw new InvalidOperationException("a wait needs Until(...) or Holding(...) and Within(...)");
        var seconds = $"{deadline.TotalSeconds:0.#} s";
        if (MustKeepHolding)
        {
            var condition = Condition;
            var (broke, lastSeen) = await Eventually.WithinAsync(Source, items => !condition(items), $"watching that {What} holds", deadline, cancellationToken, Describe);
            if (broke)
                Assert.Fail($"expected {What} for {seconds}, but it stopped holding: {Describe(lastSeen)}");
            return lastSeen;
        }
        var (met, seen) = await Eventually.WithinAsync(Source, Condition, What, deadline, cancellationToken, Describe);
        if (!met)
            Assert.Fail($"waited {seconds} for {What}; last seen: {Describe(seen)}");
        return seen;
    }
}
