using System.Text.RegularExpressions;
using System.Xml.Linq;
using AiConformance.Checklist;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>
/// Checks an AI conformance submission folder (<c>PRODUCT.yaml</c> and the files its evidence names) offline by the
/// rules of the cncf/k8s-ai-conformance validator: metadata, every section and id of the version's template, statuses,
/// and evidence files, whose test results must all have passed. Look-ups that need the network (CNCF membership,
/// reachable URLs) are returned as left to check.
/// </summary>
public static partial class AiSubmissionValidator
{
    public const string ProductFileName = "PRODUCT.yaml";

    public static readonly IReadOnlyList<string> RequiredMetadata =
    [
        "kubernetesVersion", "platformName", "platformVersion", "vendorName", "websiteUrl", "documentationUrl",
        "productLogoUrl", "description", "contactEmailAddress", "k8sConformanceUrl",
    ];

    /// <summary>The statuses a submission may carry: all but the empty one a run leaves for a person's attestation.</summary>
    public static readonly IReadOnlyList<string> Statuses =
        Enum.GetValues<RequirementStatus>().Where(s => s != RequirementStatus.NeedsAttestation).Select(s => s.ChecklistText()).ToList();

    /// <summary>Requirements whose evidence, without a <c>#Name</c> fragment, must hold the upstream suite's test.</summary>
    private static readonly Dictionary<string, string> DefaultTests = new()
    {
        ["secure_accelerator_access"] = "TestSecureAcceleratorAccess",
        ["gang_scheduling"] = "TestGangScheduling",
        ["cluster_autoscaling"] = "TestAcceleratorClusterAutoscaling",
    };

    public static SubmissionCheck Validate(string folder)
    {
        var problems = new List<SubmissionProblem>();
        var leftToCheck = new List<string>();
        var productPath = Path.Combine(folder, ProductFileName);
        if (!File.Exists(productPath))
        {
            problems.Add(new(ProductFileName, "the file is missing", "write the filled checklist as PRODUCT.yaml (aiconformance submission does)"));
            return new(problems, leftToCheck);
        }
        ProductFile product;
        try
        {
            product = ProductFile.Parse(File.ReadAllText(productPath));
        }
        catch (FormatException e)
        {
            problems.Add(new(ProductFileName, e.Message, "start again from the checklist template of your Kubernetes version"));
            return new(problems, leftToCheck);
        }
        CheckMetadata(product, problems, leftToCheck);
        var template = TemplateOf(product, problems);
        if (template is not null)
        {
            CheckSpec(folder, product, template, problems, leftToCheck);
        }
        CheckNotSimulated(folder, problems);
        return new(problems, leftToCheck);
    }

    private static void CheckMetadata(ProductFile product, List<SubmissionProblem> problems, List<string> leftToCheck)
    {
        foreach (var key in RequiredMetadata)
        {
            var where = $"{ProductFileName} metadata.{key}";
            if (!product.Metadata.TryGetValue(key, out var value))
            {
                problems.Add(new(where, "is missing", $"add '{key}: \"...\"' under metadata (or give it in --metadata)"));
            }
            else if (!value.IsString)
            {
                problems.Add(new(where, $"'{value.Text}' is not a string to a YAML reader (it reads as a number, boolean or null)",
                    $"quote it: {key}: \"{value.Text}\""));
            }
            else if (value.Text.Trim().Length == 0 || IsPlaceholder(value.Text))
            {
                problems.Add(new(where, value.Text.Trim().Length == 0 ? "is empty" : $"is still the placeholder {value.Text}",
                    $"fill it in --metadata (or the configuration key metadata.{key}) and run aiconformance submission again"));
            }
        }
        var conformanceUrl = product.MetadataText("k8sConformanceUrl");
        if (conformanceUrl is { Length: > 0 } && !IsPlaceholder(conformanceUrl) && !K8sConformanceUrl().IsMatch(conformanceUrl))
        {
            problems.Add(new($"{ProductFileName} metadata.k8sConformanceUrl", $"'{conformanceUrl}' is not a cncf/k8s-conformance submission URL",
                "use https://github.com/cncf/k8s-conformance/tree/main/vX.Y/<product> (the folder of your Kubernetes conformance submission)"));
        }
        var logo = product.MetadataText("productLogoUrl");
        if (logo is { Length: > 0 } && !IsPlaceholder(logo) && !LogoFile().IsMatch(logo))
        {
            problems.Add(new($"{ProductFileName} metadata.productLogoUrl", $"'{logo}' is not an .svg, .eps or .ai file",
                "link a vector logo that includes the product name (SVG, EPS or AI; not PNG)"));
        }
        if (product.MetadataText("vendorName") is { Length: > 0 } vendor && !IsPlaceholder(vendor))
        {
            leftToCheck.Add($"vendorName '{vendor}' must match a CNCF member's name exactly (https://landscape.cncf.io/members)");
        }
        foreach (var key in new[] { "websiteUrl", "documentationUrl", "productLogoUrl", "k8sConformanceUrl" })
        {
            if (product.MetadataText(key) is { Length: > 0 } url && !IsPlaceholder(url))
            {
                leftToCheck.Add($"metadata.{key} {url} must be publicly reachable");
            }
        }
    }

    private static ChecklistVersion? TemplateOf(ProductFile product, List<SubmissionProblem> problems)
    {
        var version = product.MetadataText("kubernetesVersion") ?? "";
        var minor = KubernetesMinor().Match(version);
        var template = minor.Success ? ChecklistCatalog.Find(minor.Groups["version"].Value) : null;
        if (template is null)
        {
            var known = string.Join(", ", ChecklistCatalog.Versions.Select(v => v.Version));
            problems.Add(new($"{ProductFileName} metadata.kubernetesVersion", $"'{version}' names no checklist version this tool knows ({known})",
                "set the Kubernetes version the checklist is for, e.g. \"v1.35\""));
        }
        return template;
    }

    private static void CheckSpec(
        string folder, ProductFile product, ChecklistVersion template, List<SubmissionProblem> problems, List<string> leftToCheck)
    {
        foreach (var section in template.Sections.Where(s => !product.Sections.Contains(s)))
        {
            problems.Add(new($"{ProductFileName} spec", $"section '{section}' of checklist {template.Version} is missing",
                $"copy the section from the {template.Version} template and fill it"));
        }
        foreach (var extra in product.Requirements.Where(r => template.Find(r.Id) is null))
        {
            problems.Add(new($"{ProductFileName} spec.{extra.Section}", $"'{extra.Id}' is not a requirement of checklist {template.Version}",
                "remove it; the checklist's ids are fixed by the template"));
        }
        var testFiles = new Dictionary<string, IReadOnlyList<TestResult>?>(StringComparer.Ordinal);
        foreach (var requirement in template.Requirements)
        {
            var entry = product.Requirements.FirstOrDefault(r => r.Id == requirement.Id);
            var where = $"{ProductFileName} {requirement.Id}";
            if (entry is null || entry.Section != requirement.Section)
            {
                problems.Add(new(where, $"is missing from section '{requirement.Section}'", $"copy it from the {template.Version} template and fill it"));
                continue;
            }
            if (entry.Description.Trim() != requirement.Description.Trim() || entry.Level != requirement.LevelText)
            {
                problems.Add(new(where, "its description or level differs from the template",
                    $"restore id, description and level exactly as in the {template.Version} template"));
            }
            if (requirement.Level == RequirementLevel.Should && entry.KnownStatus == RequirementStatus.NeedsAttestation && entry.Evidence.Count == 0)
            {
                continue;
            }
            CheckStatus(requirement, entry, where, problems);
            foreach (var evidence in entry.Evidence)
            {
                CheckEvidence(folder, requirement, entry, evidence, where, testFiles, problems, leftToCheck);
            }
        }
    }

    private static void CheckStatus(Requirement requirement, ProductRequirement entry, string where, List<SubmissionProblem> problems)
    {
        if (entry.KnownStatus is not { } status || status == RequirementStatus.NeedsAttestation)
        {
            problems.Add(new(where, entry.Status.Length == 0 ? "has no status" : $"status '{entry.Status}' is not allowed",
                $"set status to one of {string.Join(", ", Statuses)}; a status left empty by the run needs a person's attestation with evidence" +
                (requirement.Level == RequirementLevel.Should ? " (a SHOULD may instead be left with empty status and no evidence)" : "")));
            return;
        }
        var naAllowed = requirement.Id == "cluster_autoscaling";
        if (requirement.Level == RequirementLevel.Must && status != RequirementStatus.Implemented && !(naAllowed && status == RequirementStatus.NotApplicable))
        {
            problems.Add(new(where, $"is a MUST and is '{entry.Status}'",
                naAllowed
                    ? "make the cluster pass it and run again, or, where no autoscaler can apply, set N/A with notes saying why"
                    : "make the cluster pass it and run again; every MUST must be Implemented"));
        }
        if (status == RequirementStatus.NotApplicable && entry.Notes.Trim().Length == 0)
        {
            problems.Add(new(where, "is N/A without notes", "say in notes why the requirement does not apply to this platform (not that it is unsupported)"));
        }
        if (status is RequirementStatus.Implemented or RequirementStatus.PartiallyImplemented && entry.Evidence.Count == 0)
        {
            problems.Add(new(where, $"is {entry.Status} without evidence", "list the test results (junit.xml#Test..., e2e.log) or public documentation URLs"));
        }
    }

    private static void CheckEvidence(
        string folder, Requirement requirement, ProductRequirement entry, string evidence, string where,
        Dictionary<string, IReadOnlyList<TestResult>?> testFiles, List<SubmissionProblem> problems, List<string> leftToCheck)
    {
        if (evidence.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || evidence.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            leftToCheck.Add($"{requirement.Id} evidence {evidence} must be publicly reachable");
            return;
        }
        var reference = evidence.StartsWith("file://", StringComparison.Ordinal) ? evidence["file://".Length..] : evidence;
        var hash = reference.IndexOf('#');
        var fragment = hash >= 0 ? reference[(hash + 1)..] : null;
        var path = VersionFolderPrefix().Replace(hash >= 0 ? reference[..hash] : reference, "");
        if (path.Split('/', '\\').Contains(".."))
        {
            problems.Add(new(where, $"evidence '{evidence}' leaves the submission folder", "name files inside the folder of PRODUCT.yaml, without '..'"));
            return;
        }
        var file = Path.Combine(folder, path);
        if (path.Length == 0 || !File.Exists(file))
        {
            problems.Add(new(where, $"evidence '{evidence}' names no file of the submission folder",
                "put the file beside PRODUCT.yaml or give its path relative to PRODUCT.yaml"));
            return;
        }
        var name = Path.GetFileName(path);
        if (!TestResultFile.ParsedNames.Contains(name))
        {
            return;
        }
        if (!testFiles.TryGetValue(path, out var tests))
        {
            tests = ReadTests(file, path, problems);
            testFiles[path] = tests;
        }
        if (tests is null)
        {
            return;
        }
        var testName = fragment ?? DefaultTests.GetValueOrDefault(requirement.Id);
        if (testName is null)
        {
            return;
        }
        var named = TestResultFile.Named(tests, testName);
        if (!named.Any(t => t.Verdict == Verdict.Passed))
        {
            problems.Add(new(where, $"'{path}' has no passed test named {testName} or {testName}/...",
                fragment is null
                    ? $"add '#<TestName>' naming a passed test of this requirement, or include {testName} in the run"
                    : "name a test that is in the file and passed"));
        }
        else if (entry.KnownStatus == RequirementStatus.Implemented && named.Any(t => t.Verdict == Verdict.Skipped))
        {
            problems.Add(new(where, $"'{path}' has skipped tests under {testName} while the status is Implemented",
                "run the skipped tests (configure what they need) or set the status the results support"));
        }
    }

    /// <summary>The tests of a parsed result file, or null (with a problem) when the file is rejected as a whole.</summary>
    private static IReadOnlyList<TestResult>? ReadTests(string file, string path, List<SubmissionProblem> problems)
    {
        IReadOnlyList<TestResult> tests;
        try
        {
            tests = TestResultFile.Parse(path, File.ReadAllText(file));
        }
        catch (FormatException e)
        {
            problems.Add(new(path, $"cannot be read: {e.Message}", "give the file its tool wrote, unchanged"));
            return null;
        }
        if (tests.Count == 0)
        {
            problems.Add(new(path, "holds no test results", Path.GetFileName(path) == "e2e.log"
                ? "e2e.log must hold the run's '--- PASS: Name' lines (go test -v form)"
                : "give the file of a run that executed tests"));
            return null;
        }
        var failed = tests.Where(t => t.Verdict == Verdict.Failed).Select(t => t.Name).ToList();
        if (failed.Count > 0)
        {
            problems.Add(new(path, $"has {failed.Count} failed test(s) ({string.Join(", ", failed.Take(5))}{(failed.Count > 5 ? ", ..." : "")}); the validator rejects the whole file",
                "keep in this file only the tests of the requirements the submission claims, all passed; keep the complete run under another name"));
            return null;
        }
        return tests;
    }

    private static void CheckNotSimulated(string folder, List<SubmissionProblem> problems)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.xml"))
        {
            try
            {
                var simulated = XDocument.Load(file).Descendants("property")
                    .Any(p => (string?)p.Attribute("name") == "simulated" && (string?)p.Attribute("value") == "true");
                if (simulated)
                {
                    problems.Add(new(Path.GetFileName(file), "comes from a run against the embedded simulated cluster",
                        "run the plugin against the real cluster (sonobuoy run ... --plugin sonobuoy/ai-conformance.yaml) and use that tarball"));
                    return;
                }
            }
            catch (System.Xml.XmlException)
            {
                // Unreadable XML is reported where it is used as evidence.
            }
        }
    }

    private static bool IsPlaceholder(string value)
    {
        var trimmed = value.Trim();
        return trimmed.StartsWith('[') && trimmed.EndsWith(']');
    }

    [GeneratedRegex(@"^https://github\.com/cncf/k8s-conformance/tree/(master|main)/v\d+\.\d+/[^/\s]+/?$")]
    private static partial Regex K8sConformanceUrl();

    [GeneratedRegex(@"\.(svg|eps|ai)([?#].*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex LogoFile();

    [GeneratedRegex(@"^v?(?<version>\d+\.\d+)")]
    private static partial Regex KubernetesMinor();

    [GeneratedRegex(@"^v\d+\.\d+/[^/]+/")]
    private static partial Regex VersionFolderPrefix();
}
