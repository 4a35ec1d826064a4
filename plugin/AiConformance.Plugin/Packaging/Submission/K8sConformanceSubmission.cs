using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AiConformance.Checklist;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>
/// The cncf/k8s-conformance folder (<c>vX.Y/&lt;product&gt;/</c>): PRODUCT.yaml, README.md, and <c>e2e.log</c> and
/// <c>junit_01.xml</c> taken unchanged from the e2e plugin's results, as that repository's instructions ask.
/// </summary>
public static partial class K8sConformanceSubmission
{
    public const string PluginName = "e2e";
    public static readonly IReadOnlyList<string> ResultFiles = ["e2e.log", "junit_01.xml"];

    /// <summary>PRODUCT.yaml fields of cncf/k8s-conformance and the metadata key each comes from.</summary>
    private static readonly (string Field, string Source, bool Required)[] ProductFields =
    [
        ("vendor", "vendorName", true),
        ("name", "platformName", true),
        ("version", "platformVersion", true),
        ("type", "productType", true),
        ("description", "description", true),
        ("website_url", "websiteUrl", true),
        ("repo_url", "repoUrl", false),
        ("documentation_url", "documentationUrl", true),
        ("product_logo_url", "productLogoUrl", false),
        ("contact_email_address", "contactEmailAddress", true),
    ];

    /// <summary>Writes the folder; false (and nothing written) when the tarball has no e2e results.</summary>
    public static bool Write(SonobuoyResults results, IReadOnlyDictionary<string, string> metadata, string folder)
    {
        var plugin = results.PluginNames.Contains(PluginName) ? PluginName : results.FindPluginWith(JUnitFile());
        if (plugin is null)
        {
            return false;
        }
        var files = results.FilesOf(plugin);
        Directory.CreateDirectory(folder);
        foreach (var name in ResultFiles.Where(files.ContainsKey))
        {
            File.WriteAllBytes(Path.Combine(folder, name), files[name]);
        }
        var product = new StringBuilder();
        foreach (var (field, source, _) in ProductFields)
        {
            var value = metadata.GetValueOrDefault(source)
                ?? (field == "type" ? "[distribution, hosted platform or installer]" : $"[{source}]");
            product.Append(CultureInfo.InvariantCulture, $"{field}: {FilledChecklist.Quote(value)}\n");
        }
        File.WriteAllText(Path.Combine(folder, "PRODUCT.yaml"), product.ToString());
        File.WriteAllText(Path.Combine(folder, "README.md"), Readme(metadata));
        return true;
    }

    public static IReadOnlyList<SubmissionProblem> Validate(string folder)
    {
        var problems = new List<SubmissionProblem>();
        foreach (var name in ResultFiles.Append("PRODUCT.yaml").Append("README.md").Where(n => !File.Exists(Path.Combine(folder, n))))
        {
            problems.Add(new(name, "is missing", "take it from plugins/e2e/results/global/ of a certified-conformance run ('sonobuoy run --mode certified-conformance')"));
        }
        var junit = Path.Combine(folder, "junit_01.xml");
        if (File.Exists(junit))
        {
            CheckConformanceRun(junit, problems);
        }
        var product = Path.Combine(folder, "PRODUCT.yaml");
        if (File.Exists(product))
        {
            CheckProduct(product, problems);
        }
        return problems;
    }

    private static void CheckConformanceRun(string junit, List<SubmissionProblem> problems)
    {
        IReadOnlyList<TestResult> tests;
        try
        {
            tests = TestResultFile.ParseJUnit(File.ReadAllText(junit));
        }
        catch (FormatException e)
        {
            problems.Add(new("junit_01.xml", $"cannot be read: {e.Message}", "give the file the e2e plugin wrote, unchanged"));
            return;
        }
        var conformance = tests.Where(t => t.Name.Contains("[Conformance]", StringComparison.Ordinal)).ToList();
        var failed = conformance.Where(t => t.Verdict == Verdict.Failed).ToList();
        if (failed.Count > 0)
        {
            problems.Add(new("junit_01.xml", $"{failed.Count} conformance test(s) failed, e.g. {failed[0].Name}",
                "fix the cluster and run the e2e plugin again; every conformance test must pass"));
        }
        if (!conformance.Any(t => t.Verdict == Verdict.Passed))
        {
            problems.Add(new("junit_01.xml", "holds no passed [Conformance] test",
                "run 'sonobuoy run --mode certified-conformance' (the e2e plugin's conformance focus)"));
        }
    }

    private static void CheckProduct(string path, List<SubmissionProblem> problems)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(File.ReadAllText(path)));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            problems.Add(new("PRODUCT.yaml", $"line {e.Start.Line}: malformed YAML", "run aiconformance submission again to rewrite it"));
            return;
        }
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        foreach (var (field, source, required) in ProductFields.Where(f => f.Required))
        {
            var value = root is not null && root.Children.TryGetValue(new YamlScalarNode(field), out var node) && node is YamlScalarNode scalar
                ? scalar.Value ?? ""
                : "";
            if (value.Trim().Length == 0 || (value.StartsWith('[') && value.EndsWith(']')))
            {
                problems.Add(new($"PRODUCT.yaml {field}", value.Length == 0 ? "is missing" : $"is still the placeholder {value}",
                    $"give {source} in --metadata and run aiconformance submission again"));
            }
        }
    }

    private static string Readme(IReadOnlyDictionary<string, string> metadata)
    {
        string Meta(string key) => metadata.GetValueOrDefault(key) ?? $"[{key}]";
        return $"""
            # {Meta("platformName")} {Meta("platformVersion")}

            {Meta("description")}

            ## To reproduce

            Create a cluster of {Meta("platformName")} {Meta("platformVersion")} as its documentation says
            ({Meta("documentationUrl")}), then run the conformance tests with Sonobuoy (the AI conformance plugin runs
            in the same run and does not change the standard tests):

            ```
            sonobuoy run --plugin e2e --plugin sonobuoy/ai-conformance.yaml --mode certified-conformance --wait
            outfile=$(sonobuoy retrieve)
            aiconformance submission --sonobuoy-results $outfile --out submission --metadata metadata.yaml
            ```

            `e2e.log` and `junit_01.xml` are `plugins/e2e/results/global/` of that tarball, unchanged.

            """;
    }

    [GeneratedRegex(@"^junit_01\.xml$")]
    private static partial Regex JUnitFile();
}
