using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AiConformance.Checklist;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>
/// Writes the cncf/k8s-ai-conformance folder from the AI plugin's results: the filled checklist as PRODUCT.yaml (the
/// official template, the run's statuses and notes, the product metadata), junit.xml and e2e.log holding only the
/// passed tests of the claimed requirements, the complete run beside them, the evidence files and a README.
/// </summary>
public static partial class AiSubmissionWriter
{
    public const string FullJUnitName = "junit-full-run.xml";
    public const string FullLogName = "e2e-full-run.log";
    private const string JUnitName = "junit.xml";
    private const string LogName = "e2e.log";


    /// <returns>The product metadata used: the run's filled-in values, overridden by <paramref name="metadata"/>.</returns>
    public static IReadOnlyDictionary<string, string> Write(SonobuoyResults results, IReadOnlyDictionary<string, string> metadata, string folder)
    {
        var plugin = results.FindPluginWith(ChecklistFileName())
            ?? throw new SubmissionInputException(
                $"the tarball holds no AI conformance results (plugins: {string.Join(", ", results.PluginNames)}); " +
                "run Sonobuoy with --plugin sonobuoy/ai-conformance.yaml and retrieve again");
        var files = results.FilesOf(plugin);
        var checklistName = files.Keys.Where(k => ChecklistFileName().IsMatch(k)).OrderBy(MinorOf).Last();
        if (!files.TryGetValue(JUnitName, out var junit))
        {
            throw new SubmissionInputException($"plugins/{plugin}/results/global has no {JUnitName}; the AI plugin did not finish its reports (see 'sonobuoy logs')");
        }
        var run = ParseChecklist(plugin, checklistName, files[checklistName]);
        var template = ChecklistCatalog.Find($"1.{MinorOf(checklistName)}")
            ?? throw new SubmissionInputException($"{checklistName} is a checklist version this tool does not know; use the aiconformance version that made the run");

        Directory.CreateDirectory(folder);
        // Statuses that claim something the tests proved; their passed tests go into junit.xml.
        var claimed = run.Requirements.Where(r => r.KnownStatus is RequirementStatus.Implemented or RequirementStatus.PartiallyImplemented)
            .Select(r => r.Id).ToList();
        ClaimedTests tests;
        try
        {
            tests = ClaimedTests.Select(SonobuoyResults.Text(junit), claimed.Select(TestNames.ForRequirement).ToList(), FullJUnitName);
        }
        catch (System.Xml.XmlException e)
        {
            throw new SubmissionInputException($"plugins/{plugin}/results/global/{JUnitName} is not well-formed XML ({e.Message}); it should be the file the plugin wrote, unchanged");
        }
        File.WriteAllText(Path.Combine(folder, JUnitName), tests.JUnitXml());
        File.WriteAllText(Path.Combine(folder, LogName), tests.GoTestLog(FullLogName));
        File.WriteAllBytes(Path.Combine(folder, FullJUnitName), junit);
        if (files.TryGetValue(LogName, out var log))
        {
            File.WriteAllBytes(Path.Combine(folder, FullLogName), log);
        }
        foreach (var (path, content) in files.Where(f => f.Key.StartsWith("evidence/", StringComparison.Ordinal) || f.Key == "summary.md"))
        {
            if (path.Split('/').Contains(".."))
            {
                continue; // never write outside the submission folder, whatever the tarball holds
            }
            var target = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, content);
        }

        var merged = MergeMetadata(run, metadata);
        File.WriteAllText(Path.Combine(folder, AiSubmissionValidator.ProductFileName), RenderProduct(template, run, merged, claimed, checklistName));
        File.WriteAllText(Path.Combine(folder, "README.md"), RenderReadme(template, run, merged, claimed, tests, files.ContainsKey(LogName)));
        return merged;
    }

    private static ProductFile ParseChecklist(string plugin, string name, byte[] content)
    {
        try
        {
            return ProductFile.Parse(SonobuoyResults.Text(content));
        }
        catch (FormatException e)
        {
            throw new SubmissionInputException($"plugins/{plugin}/results/global/{name} cannot be read ({e.Message}); it should be the checklist the plugin wrote, unchanged");
        }
    }

    /// <summary>The run's metadata values that are filled in, overridden by <paramref name="metadata"/>.</summary>
    private static Dictionary<string, string> MergeMetadata(ProductFile run, IReadOnlyDictionary<string, string> metadata)
    {
        var merged = run.Metadata
            .Where(m => m.Value.IsString && m.Value.Text.Trim().Length > 0 && !(m.Value.Text.StartsWith('[') && m.Value.Text.EndsWith(']')))
            .ToDictionary(m => m.Key, m => m.Value.Text, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            merged[key] = value;
        }
        return merged;
    }

    private static string RenderProduct(
        ChecklistVersion template, ProductFile run, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<string> claimed, string checklistName)
    {
        var fillings = run.Requirements.ToDictionary(r => r.Id, r => new RequirementFilling(r.Status, SubmittedEvidence(template, r, claimed), r.Notes));
        var header = new[]
        {
            $"Filled by the aiconformance plugin ({checklistName}) and packaged by 'aiconformance submission'.",
            $"junit.xml and e2e.log hold the passed tests of the requirements claimed here; the complete run is {FullJUnitName} / {FullLogName}.",
            "",
        };
        var text = FilledChecklist.Render(template, new Dictionary<string, string>(), fillings, header);
        foreach (var key in AiSubmissionValidator.RequiredMetadata.Prepend("repoUrl"))  // productType is for k8s-conformance only
        {
            if (metadata.TryGetValue(key, out var value))
            {
                text = SetMetadata(text, key, value);
            }
            else if (!HasMetadataLine(text, key))
            {
                text = SetMetadata(text, key, $"[{key}]");
            }
        }
        return text;
    }

    /// <summary>
    /// A claimed requirement keeps its evidence; one not claimed names the complete run, which keeps every outcome;
    /// a SHOULD the run could not decide (empty status) goes without evidence, which is how a checklist leaves a SHOULD
    /// unanswered (its notes still say what a person must add).
    /// </summary>
    private static IReadOnlyList<string> SubmittedEvidence(ChecklistVersion template, ProductRequirement requirement, IReadOnlyList<string> claimed)
    {
        if (claimed.Contains(requirement.Id))
        {
            return requirement.Evidence;
        }
        if (requirement.KnownStatus == RequirementStatus.NeedsAttestation && template.Find(requirement.Id)?.Level == RequirementLevel.Should)
        {
            return [];
        }
        return requirement.Evidence.Select(PointAtFullRun).Distinct().ToList();
    }

    /// <summary>Evidence of a requirement not claimed names the complete run, which keeps every outcome.</summary>
    private static string PointAtFullRun(string evidence)
    {
        var path = evidence.Split('#')[0];
        return path switch
        {
            JUnitName => FullJUnitName,
            LogName => FullLogName,
            _ => evidence,
        };
    }

    /// <summary>Sets a metadata value in the checklist text, adding the line at the end of the block when absent.</summary>
    private static string SetMetadata(string text, string key, string value)
    {
        var lines = text.Split('\n').ToList();
        var start = lines.FindIndex(l => l.StartsWith("metadata:", StringComparison.Ordinal));
        if (start < 0)
        {
            return text;
        }
        var line = $"  {key}: {FilledChecklist.Quote(value)}";
        var lastField = start;
        for (var i = start + 1; i < lines.Count && (lines[i].StartsWith(' ') || lines[i].Trim().Length == 0 || lines[i].StartsWith('#')); i++)
        {
            if (MetadataField().Match(lines[i]) is { Success: true } field)
            {
                if (field.Groups["key"].Value == key)
                {
                    lines[i] = line;
                    return string.Join('\n', lines);
                }
                lastField = i;
            }
        }
        lines.Insert(lastField + 1, line);
        return string.Join('\n', lines);
    }

    private static bool HasMetadataLine(string text, string key) =>
        text.Split('\n').Any(l => MetadataField().Match(l) is { Success: true } m && m.Groups["key"].Value == key);

    private static string RenderReadme(
        ChecklistVersion template, ProductFile run, IReadOnlyDictionary<string, string> metadata,
        IReadOnlyList<string> claimed, ClaimedTests tests, bool hasFullLog)
    {
        string Meta(string key) => metadata.GetValueOrDefault(key) ?? $"[{key}]";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {Meta("platformName")} {Meta("platformVersion")}: Kubernetes AI Conformance {template.Version}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"{Meta("description")}\n\n");
        text.Append("## Files\n\n");
        text.Append("| file | what it holds |\n| --- | --- |\n");
        text.Append("| `PRODUCT.yaml` | the filled checklist: every requirement's status, evidence and notes |\n");
        text.Append(CultureInfo.InvariantCulture, $"| `junit.xml`, `e2e.log` | the {tests.Kept.Count} passed test(s) of the {claimed.Count} requirement(s) claimed as Implemented or Partially Implemented |\n");
        text.Append(CultureInfo.InvariantCulture, $"| [`{FullJUnitName}`]({FullJUnitName}){(hasFullLog ? $", [`{FullLogName}`]({FullLogName})" : "")} | the complete run, unchanged: all tests, including the {tests.LeftOut} failed, skipped or unclaimed one(s) left out of junit.xml |\n");
        text.Append("| `evidence/<id>.md` | per requirement: what each test created and observed |\n\n");
        text.Append("The CNCF validator rejects a `junit.xml` or `e2e.log` in which any test failed, so those two files hold only the\n");
        text.Append("claimed requirements' passed tests; nothing is hidden: the complete run is kept beside them.\n\n");
        text.Append("## Requirements\n\n| id | level | status |\n| --- | --- | --- |\n");
        foreach (var requirement in template.Requirements)
        {
            var entry = run.Requirements.FirstOrDefault(r => r.Id == requirement.Id);
            var status = entry?.KnownStatus is { } known ? known.Display() : entry?.Status ?? RequirementStatus.NeedsAttestation.Display();
            text.Append(CultureInfo.InvariantCulture, $"| `{requirement.Id}` | {requirement.LevelText} | {status} |\n");
        }
        text.Append("\n## How to reproduce\n\n```\n");
        text.Append("sonobuoy run --plugin e2e --plugin sonobuoy/ai-conformance.yaml --mode certified-conformance --wait\n");
        text.Append("sonobuoy retrieve .\n");
        text.Append("aiconformance submission --sonobuoy-results <tarball> --out submission --metadata metadata.yaml\n```\n");
        return text.ToString();
    }

    private static int MinorOf(string checklistName) =>
        int.Parse(ChecklistFileName().Match(checklistName).Groups["minor"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^AIConformance-1\.(?<minor>\d+)\.yaml$")]
    private static partial Regex ChecklistFileName();

    [GeneratedRegex(@"^  (?<key>[A-Za-z]\w*):")]
    private static partial Regex MetadataField();
}
