using AiConformance.Workloads.Metrics;
using AiConformance.Workloads.Serving;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests.Workloads;

public sealed class ExpositionParserTests
{
    private static string Sample(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "metrics", name));

    [Test]
    public void DcgmExporterSeriesCarryTheDeviceLabels()
    {
        var metrics = Exposition.Parse(Sample("dcgm-exporter-l40s.txt"));

        var utilization = metrics.Samples("DCGM_FI_DEV_GPU_UTIL").Single();
        var memoryUsed = metrics.Samples("DCGM_FI_DEV_FB_USED").Single();
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Family("DCGM_FI_DEV_GPU_UTIL")?.Type, Is.EqualTo(MetricType.Gauge));
            Assert.That(metrics.Family("DCGM_FI_DEV_GPU_UTIL")?.Help, Is.EqualTo("GPU utilization (in %)."));
            Assert.That(utilization.Label("UUID"), Is.EqualTo("GPU-5b4e07f6-3a86-4340-039d-25f2a83cdc43"));
            Assert.That(utilization.Label("pci_bus_id"), Is.EqualTo("00000000:00:07.0"));
            Assert.That(utilization.Label("modelName"), Is.EqualTo("NVIDIA L40S"));
            Assert.That(memoryUsed.Value, Is.Zero);
            Assert.That(metrics.Samples("DCGM_FI_DEV_POWER_USAGE").Single().Value, Is.EqualTo(35.686));
            Assert.That(metrics.Samples("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION").Single().Value, Is.EqualTo(5551899580d));
            Assert.That(metrics.Family("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")?.Type, Is.EqualTo(MetricType.Counter));
        });
    }

    [Test]
    public void AmdExporterSeriesAreKeyedByGpuUuid()
    {
        var metrics = Exposition.Parse(Sample("amd-device-metrics-exporter.txt"));

        Assert.Multiple(() =>
        {
            Assert.That(metrics.Samples("gpu_usage").Single().Label("GPU_UUID"), Is.EqualTo("6699c0a8-4200-4242-037f-f97e6cae0f09"));
            Assert.That(metrics.Samples("gpu_total_memory").Single().Value, Is.EqualTo(68702));
            Assert.That(metrics.Samples("gpu_nodes_total").Single().Labels, Is.Empty);
        });
    }

    [Test]
    public void VllmHistogramsAndCountersAreGroupedIntoTheirFamilies()
    {
        var metrics = Exposition.Parse(Sample("vllm.txt"));

        var latency = metrics.Family("vllm:e2e_request_latency_seconds");
        Assert.That(latency, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(latency!.Type, Is.EqualTo(MetricType.Histogram));
            Assert.That(latency.Samples.Select(s => s.Name).Distinct(),
                Is.EquivalentTo(new[] { "vllm:e2e_request_latency_seconds_bucket", "vllm:e2e_request_latency_seconds_sum", "vllm:e2e_request_latency_seconds_count" }));
            Assert.That(latency.Samples.Last(s => s.Name.EndsWith("_bucket", StringComparison.Ordinal)).Label("le"), Is.EqualTo("+Inf"));
            Assert.That(metrics.Samples("vllm:num_requests_running").Single().Label("model_name"), Is.EqualTo("facebook/opt-125m"));
            Assert.That(metrics.Samples("process_max_fds").Single().Value, Is.EqualTo(1048576));
            Assert.That(metrics.Families.Where(f => f.Samples.Count == 0 && f.Type != MetricType.Untyped).Select(f => f.Name), Is.Empty,
                "every declared family got its samples");
        });
    }

    [Test]
    public void EscapesSpecialValuesTimestampsAndUntypedSamples()
    {
        var metrics = Exposition.Parse("""
            # HELP odd A "quoted" help \\ with\na newline
            # TYPE odd gauge
            odd{path="C:\\dir",msg="say \"hi\"\nbye", empty=""} -Inf 1700000000123
            odd{path="x"} NaN
            bare 1e3
            {"name.with.dots", "label.with.dots"="v"} +Inf

            """);

        var odd = metrics.Samples("odd");
        Assert.Multiple(() =>
        {
            Assert.That(metrics.Family("odd")?.Help, Is.EqualTo("A \"quoted\" help \\ with\na newline"));
            Assert.That(odd[0].Label("path"), Is.EqualTo(@"C:\dir"));
            Assert.That(odd[0].Label("msg"), Is.EqualTo("say \"hi\"\nbye"));
            Assert.That(odd[0].Label("empty"), Is.Empty);
            Assert.That(odd[0].Value, Is.EqualTo(double.NegativeInfinity));
            Assert.That(odd[0].TimestampMs, Is.EqualTo(1700000000123));
            Assert.That(double.IsNaN(odd[1].Value));
            Assert.That(metrics.Family("bare")?.Type, Is.EqualTo(MetricType.Untyped));
            Assert.That(metrics.Samples("bare").Single().Value, Is.EqualTo(1000));
            Assert.That(metrics.Samples("name.with.dots").Single().Label("label.with.dots"), Is.EqualTo("v"));
        });
    }

    [Test]
    public void OpenMetricsCountersTimestampsExemplarsAndEof()
    {
        var metrics = Exposition.Parse("""
            # TYPE requests counter
            # UNIT requests requests
            # HELP requests Requests served.
            requests_total{code="200"} 17 1700000000.5 # {trace_id="abc"} 1 1700000000.1
            requests_created{code="200"} 1699990000
            # EOF

            """);

        var family = metrics.Family("requests");
        Assert.Multiple(() =>
        {
            Assert.That(family?.Type, Is.EqualTo(MetricType.Counter));
            Assert.That(family?.Unit, Is.EqualTo("requests"));
            Assert.That(family?.Samples.Select(s => s.Name), Is.EqualTo(new[] { "requests_total", "requests_created" }));
            Assert.That(metrics.Samples("requests_total").Single().Value, Is.EqualTo(17));
            Assert.That(metrics.Samples("requests_total").Single().TimestampMs, Is.EqualTo(1700000000500), "OpenMetrics timestamps are seconds");
        });
    }

    [TestCase("metric{a=\"1\"", "labels not closed")]
    [TestCase("metric{a=\"1\" b=\"2\"} 2", "expected ',' or '}'")]
    [TestCase("metric{a=1} 2", "must be quoted")]
    [TestCase("metric two", "'two' is not a number")]
    [TestCase("metric", "expected a value")]
    [TestCase("# TYPE m histgram", "unknown metric type 'histgram'")]
    [TestCase("m{a=\"1\",a=\"2\"} 1", "given twice")]
    [TestCase("m 1 # EOF\n# EOF\nm 1", "text after '# EOF'", 4)]
    public void MalformedLinesAreRefusedWithTheirLineNumber(string text, string problem, int line = 2)
    {
        var error = Assert.Throws<ExpositionFormatException>(() => Exposition.Parse("ok 1\n" + text));
        Assert.That(error!.Message, Does.StartWith($"metrics line {line}:").And.Contain(problem));
    }

    [Test]
    public void WhatServeModelExposesParsesBack()
    {
        var served = new ModelServerMetrics("tiny");
        served.RequestStarted();
        served.RequestFinished(prompt: 5, generated: 7, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(400));
        served.RequestEnded();

        var metrics = Exposition.Parse(served.Render());

        Assert.Multiple(() =>
        {
            Assert.That(metrics.Samples("vllm:generation_tokens_total").Single().Value, Is.EqualTo(7));
            Assert.That(metrics.Samples("vllm:request_success_total").Single().Label("model_name"), Is.EqualTo("tiny"));
            Assert.That(metrics.Family("vllm:e2e_request_latency_seconds")?.Samples.Single(s => s.Name.EndsWith("_count", StringComparison.Ordinal)).Value,
                Is.EqualTo(1));
        });
    }
}
