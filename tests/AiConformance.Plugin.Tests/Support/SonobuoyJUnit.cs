using System.Xml.Linq;

namespace AiConformance.Plugin.Tests.Support;

/// <summary>
/// Reads JUnit XML the way Sonobuoy's results processing does: the root is a <c>testsuites</c> or a single
/// <c>testsuite</c>; an unnamed suite is called <c>testsuite-NNN</c>; a test case with <c>failure</c> or <c>error</c>
/// failed, with <c>skipped</c> was skipped, else passed; a suite failed when any of its cases failed. Nested suites are
/// not looked into. Checked against Sonobuoy's own test data before use.
/// </summary>
public static class SonobuoyJUnit
{
    public sealed record Case(string Name, string Status, string? Failure);

    public sealed record Suite(string Name, string Status, IReadOnlyList<Case> Cases);

    public static IReadOnlyList<Suite> Read(string path)
    {
        var root = XDocument.Load(path).Root!;
        var suites = root.Name.LocalName == "testsuite" ? [root] : root.Elements("testsuite").ToList();
        return suites.Select((suite, index) =>
        {
            var cases = suite.Elements("testcase").Select(ReadCase).ToList();
            var name = (string?)suite.Attribute("name") is { Length: > 0 } n ? n : $"testsuite-{index + 1:000}";
            return new Suite(name, cases.Any(c => c.Status == "failed") ? "failed" : "passed", cases);
        }).ToList();
    }

    private static Case ReadCase(XElement testCase)
    {
        var name = (string?)testCase.Attribute("name") ?? "";
        var problem = testCase.Element("failure") ?? testCase.Element("error");
        if (problem is not null)
        {
            var message = (string?)problem.Attribute("message");
            return new Case(name, "failed", string.Join(" ", new[] { message, problem.Value }.Where(s => !string.IsNullOrEmpty(s))));
        }
        return new Case(name, testCase.Element("skipped") is null ? "passed" : "skipped", null);
    }
}
