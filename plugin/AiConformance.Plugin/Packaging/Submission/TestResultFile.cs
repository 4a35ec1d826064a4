using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace AiConformance.Plugin.Packaging.Submission;

public enum Verdict { Passed, Failed, Skipped }

/// <summary>One test as a result file records it: its name and how it ended.</summary>
public sealed record TestResult(string Name, Verdict Verdict);

/// <summary>
/// Reads the three result formats the CNCF validator parses, by file name as it does: <c>junit.xml</c> (any
/// <c>testcase</c>), <c>e2e.log</c> (<c>--- PASS|FAIL|SKIP: Name</c> lines of <c>go test -v</c>) and <c>results.json</c>
/// (<c>go test -json</c> events).
/// </summary>
public static partial class TestResultFile
{
    /// <summary>File names whose content decides whether a submission's evidence is accepted.</summary>
    public static readonly IReadOnlySet<string> ParsedNames = new HashSet<string>(StringComparer.Ordinal) { "junit.xml", "results.json", "e2e.log" };

    /// <summary>The tests in <paramref name="text"/>, read by the format <paramref name="fileName"/> implies.</summary>
    /// <exception cref="FormatException">The content is not of that format.</exception>
    public static IReadOnlyList<TestResult> Parse(string fileName, string text) => Path.GetFileName(fileName) switch
    {
        "e2e.log" => ParseGoTestLog(text),
        "results.json" => ParseGoTestJson(text),
        _ => ParseJUnit(text),
    };

    public static IReadOnlyList<TestResult> ParseJUnit(string xml)
    {
        XDocument document;
        try
        {
            document = XDocument.Parse(xml);
        }
        catch (XmlException e)
        {
            throw new FormatException($"not well-formed XML: {e.Message}");
        }
        return document.Descendants("testcase").Select(ToResult).ToList();
    }

    public static IReadOnlyList<TestResult> ParseGoTestLog(string log) =>
        GoTestResultLine().Matches(log)
            .Select(m => new TestResult(m.Groups["name"].Value, m.Groups["verdict"].Value switch
            {
                "PASS" => Verdict.Passed,
                "FAIL" => Verdict.Failed,
                _ => Verdict.Skipped,
            }))
            .ToList();

    public static IReadOnlyList<TestResult> ParseGoTestJson(string json)
    {
        var results = new List<TestResult>();
        foreach (var line in json.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (!root.TryGetProperty("Test", out var test) || !root.TryGetProperty("Action", out var action))
                {
                    continue;
                }
                Verdict? verdict = action.GetString() switch
                {
                    "pass" => Verdict.Passed,
                    "fail" => Verdict.Failed,
                    "skip" => Verdict.Skipped,
                    _ => null,
                };
                if (verdict is { } v && test.GetString() is { Length: > 0 } name)
                {
                    results.Add(new TestResult(name, v));
                }
            }
            catch (JsonException e)
            {
                throw new FormatException($"a line is not a go test -json event: {e.Message}");
            }
        }
        return results;
    }

    /// <summary>
    /// The tests a reference names: the test called <paramref name="name"/> and its subtests
    /// (<c>name/...</c>), as <c>go test -run</c> would select them.
    /// </summary>
    public static IReadOnlyList<TestResult> Named(IEnumerable<TestResult> tests, string name) =>
        tests.Where(t => t.Name == name || t.Name.StartsWith(name + "/", StringComparison.Ordinal)).ToList();

    private static TestResult ToResult(XElement testCase)
    {
        var name = (string?)testCase.Attribute("name") ?? "";
        var verdict = testCase.Elements().Any(e => e.Name.LocalName is "failure" or "error") ? Verdict.Failed
            : testCase.Elements().Any(e => e.Name.LocalName == "skipped") ? Verdict.Skipped
            : Verdict.Passed;
        return new TestResult(name, verdict);
    }

    [GeneratedRegex(@"^\s*--- (?<verdict>PASS|FAIL|SKIP): (?<name>\S+)", RegexOptions.Multiline)]
    private static partial Regex GoTestResultLine();
}
