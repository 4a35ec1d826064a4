using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Modules.Metrics.Prometheus;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// The simulated Prometheus's storage and query evaluation, against what Prometheus itself answers: instant selectors
/// with every matcher, staleness, <c>increase</c> with Prometheus's extrapolation, aggregations, and loud refusals.
/// </summary>
public sealed class PrometheusModuleTests
{
    private static ScrapedSample Sample(string name, double value, params (string Key, string Value)[] labels) =>
        new(labels.Append(("__name__", name)).ToDictionary(label => label.Item1, label => label.Item2), value);

    private static SeriesStore TwoPods()
    {
        var store = new SeriesStore(TimeSpan.FromHours(1));
        for (var i = 0; i <= 10; i++)
        {
            store.Append("a", 1000 + i * 10, [Sample("requests_total", i * 5, ("pod", "a"), ("code", "200"))]);
            store.Append("b", 1000 + i * 10, [Sample("requests_total", 7, ("pod", "b"), ("code", "500"))]);
        }
        return store;
    }

    [Test]
    public void InstantSelectorsMatchLabelsWithEveryOperator()
    {
        var store = TwoPods();
        Assert.Multiple(() =>
        {
            Assert.That(PromQl.Evaluate("requests_total", store, 1100).Select(e => e.Value), Is.EquivalentTo(new[] { 50.0, 7.0 }));
            Assert.That(PromQl.Evaluate("requests_total{pod=\"a\"}", store, 1100).Single().Value, Is.EqualTo(50));
            Assert.That(PromQl.Evaluate("requests_total{pod!=\"a\"}", store, 1100).Single().Labels["pod"], Is.EqualTo("b"));
            Assert.That(PromQl.Evaluate("{__name__=\"requests_total\", code=~\"5..\"}", store, 1100).Single().Labels["pod"], Is.EqualTo("b"));
            Assert.That(PromQl.Evaluate("requests_total{code!~\"5.*\"}", store, 1100).Single().Labels["pod"], Is.EqualTo("a"));
            Assert.That(PromQl.Evaluate("requests_total{pod=\"a\"}", store, 1055).Single().Value, Is.EqualTo(25), "the latest sample at or before the time");
            Assert.That(PromQl.Evaluate("requests_total", store, 1100 + 301), Is.Empty, "nothing within the five-minute lookback");
        });
    }

    [Test]
    public void ASeriesATargetStopsExposingIsStaleAtOnce()
    {
        var store = TwoPods();
        store.Append("a", 1110, [Sample("other_total", 1, ("pod", "a"))]);
        store.Forget("b", 1110);
        Assert.That(PromQl.Evaluate("requests_total", store, 1111), Is.Empty, "stale markers, not the lookback, end both series");
        Assert.That(PromQl.Evaluate("requests_total", store, 1105).Count, Is.EqualTo(2), "before the markers they were there");
    }

    [Test]
    public void IncreaseExtrapolatesAsPrometheusDoesAndAggregationsGroup()
    {
        var store = TwoPods();
        // The window (1000, 1100] holds the samples 5..50 at 1010..1100: 45 over 90 s. The gap to the window's start (10 s)
        // is under 1.1 sampling intervals and no longer than the way back to zero, so Prometheus extrapolates over it: 45 * 100/90.
        var increase = PromQl.Evaluate("increase(requests_total{pod=\"a\"}[100s])", store, 1100).Single();
        // Over (1045, 1100]: 25 over 50 s (1050..1100); the 5 s gap is extrapolated: 25 * 55/50.
        var shorter = PromQl.Evaluate("increase(requests_total{pod=\"a\"}[55s])", store, 1100).Single();
        Assert.Multiple(() =>
        {
            Assert.That(increase.Value, Is.EqualTo(50).Within(1e-9));
            Assert.That(shorter.Value, Is.EqualTo(25 * 55.0 / 50).Within(1e-9));
            Assert.That(increase.Labels.ContainsKey("__name__"), Is.False, "functions drop the metric name");
            Assert.That(PromQl.Evaluate("rate(requests_total{pod=\"b\"}[100s])", store, 1100).Single().Value, Is.Zero, "a constant counter");
            Assert.That(PromQl.Evaluate("sum(requests_total)", store, 1100).Single().Value, Is.EqualTo(57));
            Assert.That(PromQl.Evaluate("sum by (pod) (requests_total)", store, 1100).Select(e => (e.Labels["pod"], e.Value)),
                Is.EquivalentTo(new[] { ("a", 50.0), ("b", 7.0) }));
            Assert.That(PromQl.Evaluate("max without (code) (requests_total)", store, 1100).Select(e => e.Labels.Keys.Single()), Is.All.EqualTo("pod"));
        });
    }

    [TestCase("requests_total + 1")]
    [TestCase("histogram_quantile(0.9, requests_total)")]
    [TestCase("rate(requests_total)")]
    [TestCase("requests_total[5m]")]
    [TestCase("requests_total{pod=}")]
    public void WhatIsNotModelledIsRefused(string query) =>
        Assert.That(() => PromQl.Evaluate(query, TwoPods(), 1100), Throws.TypeOf<QueryNotModelledException>());

    [TestCase("fault", "drops-everything", "not a Prometheus fault")]
    [TestCase("scrapeInterval", "often", "not a duration")]
    [TestCase("discovery", "consul", "not one of operator, annotations")]
    [TestCase("retention", "1d", "options.retention is not an option of prometheus")]
    public void BadOptionsAreNamed(string key, string value, string problem)
    {
        var (_, problems) = ComponentOptionReader.Read<PrometheusOptions>("prometheus", new ComponentOptions { Options = new() { [key] = value } });
        Assert.That(problems, Has.One.Contains(problem));
    }

    [Test]
    public void ValuesAreWrittenAsPrometheusWritesThem() =>
        Assert.That(new[] { 3.0, 0.5, -2.25, double.NaN, double.PositiveInfinity, 1.5e20, 1e21, 2.5e-7, 1.5e-6 }.Select(PrometheusProgram.Format),
            Is.EqualTo(new[] { "3", "0.5", "-2.25", "NaN", "+Inf", "150000000000000000000", "1e+21", "2.5e-07", "0.0000015" }));
}
