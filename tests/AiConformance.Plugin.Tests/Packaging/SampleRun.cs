using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using AiConformance.Checklist;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary>
/// A small, realistic AI plugin results folder in the shape <c>aiconformance run</c> writes (junit.xml with standalone
/// test names, e2e.log in go test -v form, the filled AIConformance-1.NN.yaml, evidence/&lt;id&gt;.md, summary.md),
/// built from per-requirement outcomes.
/// </summary>
internal sealed class SampleRun
{
    public enum Result { Passed, Failed, Skipped }

    private readonly List<(string Requirement, string Name, Result Result)> tests = [];
    private readonly Dictionary<string, (string Status, string Notes)> statuses = [];

    public SampleRun(string version = "1.35")
    {
        Checklist = ChecklistCatalog.Find(version)!;
    }

    public ChecklistVersion Checklist { get; }

    public bool Simulated { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Every MUST passed with two tests each; SHOULDs left for the test to set.</summary>
    public static SampleRun AllMustsPass(string version = "1.35")
    {
        var run = new SampleRun(version);
        foreach (var requirement in run.Checklist.Requirements.Where(r => r.Level == RequirementLevel.Must))
        {
            run.With(requirement.Id, "Implemented", "", ("WorksAsRequired", Result.Passed), ("NegativeControlHolds", Result.Passed));
        }
        return run;
    }

    public SampleRun With(string requirementId, string status, string notes, params (string Behaviour, Result Result)[] outcomes)
    {
        tests.RemoveAll(t => t.Requirement == requirementId);
        foreach (var (behaviour, result) in outcomes)
        {
            tests.Add((requirementId, TestNames.ForTest(requirementId, behaviour), result));
        }
        statuses[requirementId] = (status, notes);
        return this;
    }

    /// <summary>The results folder's files by relative path.</summary>
    public Dictionary<string, string> Files()
    {
        var files = new Dictionary<string, string>
        {
            ["junit.xml"] = JUnit(),
            ["e2e.log"] = GoTestLog(),
            [Checklist.FileName] = FilledChecklistText(),
            ["summary.md"] = "# Summary\n",
        };
        foreach (var id in statuses.Keys)
        {
            files[$"evidence/{id}.md"] = $"# {id}\n\nwhat the tests created and saw\n";
        }
        return files;
    }

    private string FilledChecklistText()
    {
        var fillings = statuses.ToDictionary(
            s => s.Key,
            s => new RequirementFilling(s.Value.Status,
                tests.Any(t => t.Requirement == s.Key)
                    ? [$"evidence/{s.Key}.md", $"junit.xml#{TestNames.ForRequirement(s.Key)}", "e2e.log"]
                    : [],
                s.Value.Notes));
        return FilledChecklist.Render(Checklist, Metadata, fillings, ["Filled by aiconformance run sample", ""]);
    }

    private string JUnit()
    {
        var xml = new StringBuilder();
        var failures = tests.Count(t => t.Result == Result.Failed);
        var skipped = tests.Count(t => t.Result == Result.Skipped);
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        var counts = $"tests=\"{tests.Count}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"12.000\"";
        xml.Append(CultureInfo.InvariantCulture, $"<testsuites name=\"ai-conformance {Checklist.Version}\" {counts}>\n");
        xml.Append(CultureInfo.InvariantCulture, $"  <testsuite name=\"ai-conformance {Checklist.Version}\" {counts} timestamp=\"2026-01-01T00:00:00\">\n");
        xml.Append(CultureInfo.InvariantCulture, $"    <properties><property name=\"checklistVersion\" value=\"{Checklist.Version}\" />");
        xml.Append(CultureInfo.InvariantCulture, $"<property name=\"simulated\" value=\"{(Simulated ? "true" : "false")}\" /></properties>\n");
        foreach (var (requirement, name, result) in tests)
        {
            xml.Append(CultureInfo.InvariantCulture, $"""    <testcase name="{name}" classname="ai-conformance.{requirement}" time="1.000">""");
            xml.Append(result switch
            {
                Result.Failed => """<failure message="expected 2 pods running, saw 1" type="Failure">expected 2 pods running, saw 1</failure>""",
                Result.Skipped => """<skipped message="not applicable: no such hardware" />""",
                _ => "",
            });
            xml.Append("<system-out>created pod; observed Running</system-out></testcase>\n");
        }
        xml.Append("  </testsuite>\n</testsuites>\n");
        return xml.ToString();
    }

    private string GoTestLog()
    {
        var log = new StringBuilder();
        foreach (var group in tests.GroupBy(t => t.Requirement))
        {
            var parent = TestNames.ForRequirement(group.Key);
            log.Append(CultureInfo.InvariantCulture, $"=== RUN   {parent}\n");
            var verdict = group.Any(t => t.Result == Result.Failed) ? "FAIL" : group.Any(t => t.Result == Result.Passed) ? "PASS" : "SKIP";
            log.Append(CultureInfo.InvariantCulture, $"--- {verdict}: {parent} (2.00s)\n");
            foreach (var test in group)
            {
                var v = test.Result switch { Result.Passed => "PASS", Result.Failed => "FAIL", _ => "SKIP" };
                log.Append(CultureInfo.InvariantCulture, $"    --- {v}: {test.Name} (1.00s)\n");
            }
        }
        log.Append(tests.Any(t => t.Result == Result.Failed) ? "FAIL\n" : "PASS\n");
        return log.ToString();
    }
}

/// <summary>Writes a tarball in the layout <c>sonobuoy retrieve</c> produces.</summary>
internal static class SonobuoyTarball
{
    public static Dictionary<string, string> E2eResults(int failedConformanceTests = 0)
    {
        var cases = new StringBuilder();
        cases.Append("""<testcase name="[sig-node] Pods should be submitted and removed [NodeConformance] [Conformance]" classname="Kubernetes e2e suite" time="5.1"></testcase>""");
        for (var i = 0; i < failedConformanceTests; i++)
        {
            cases.Append(CultureInfo.InvariantCulture, $"""<testcase name="[sig-apps] Deployment test {i} [Conformance]" classname="Kubernetes e2e suite" time="1"><failure type="Failure">timed out</failure></testcase>""");
        }
        cases.Append("""<testcase name="[sig-storage] CSI Volumes something slow" classname="Kubernetes e2e suite" time="0"><skipped></skipped></testcase>""");
        return new Dictionary<string, string>
        {
            ["e2e.log"] = "I0101 00:00:00.000000 e2e.go:109] Starting e2e run\nRan 1 of 7000 Specs in 300.000 seconds\nSUCCESS! -- 1 Passed | 0 Failed | 0 Pending | 6999 Skipped\nPASS\n",
            ["junit_01.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><testsuites tests="2"><testsuite name="Kubernetes e2e suite" tests="2">{cases}</testsuite></testsuites>""",
        };
    }

    /// <summary>Writes the tarball; <paramref name="plugins"/> maps plugin name to its results/global files.</summary>
    public static string Write(string directory, IReadOnlyDictionary<string, Dictionary<string, string>> plugins, string topFolder = "") =>
        WriteBytes(directory, plugins.ToDictionary(p => p.Key, p => p.Value.ToDictionary(f => f.Key, f => Encoding.UTF8.GetBytes(f.Value))), topFolder);

    public static string WriteBytes(string directory, IReadOnlyDictionary<string, Dictionary<string, byte[]>> plugins, string topFolder = "")
    {
        var path = Path.Combine(directory, "202601010000_sonobuoy_0b1c2d3e.tar.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        void Add(string name, string content) => AddBytes(tar, topFolder + name, Encoding.UTF8.GetBytes(content));
        Add("meta/config.json", """{"UUID":"0b1c2d3e","Version":"v0.57.5","ResultsDir":"/tmp/sonobuoy/results"}""");
        Add("meta/run.log", "time=\"2026-01-01T00:00:00Z\" level=info msg=\"Starting server Expected Results\"\n");
        Add("serverversion.json", """{"major":"1","minor":"35","gitVersion":"v1.35.0"}""");
        Add("resources/cluster/Nodes.json", """{"items":[]}""");
        foreach (var (plugin, files) in plugins)
        {
            Add($"plugins/{plugin}/sonobuoy_results.yaml", $"name: {plugin}\nstatus: passed\nmeta:\n  type: summary\n");
            Add($"plugins/{plugin}/definition.json", "{\"SonobuoyConfig\":{\"driver\":\"Job\",\"plugin-name\":\"" + plugin + "\",\"result-format\":\"junit\"}}");
            foreach (var (name, content) in files)
            {
                AddBytes(tar, $"{topFolder}plugins/{plugin}/results/global/{name}", content);
            }
        }
        return path;
    }

    /// <summary>The plugin's results as one gzipped tarball, as the plugin hands them to Sonobuoy in <c>done</c>.</summary>
    public static byte[] PackedResults(IReadOnlyDictionary<string, string> files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var (name, content) in files)
            {
                AddBytes(tar, name, Encoding.UTF8.GetBytes(content));
            }
        }
        return buffer.ToArray();
    }

    private static void AddBytes(TarWriter tar, string name, byte[] content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };
        tar.WriteEntry(entry);
    }
}
