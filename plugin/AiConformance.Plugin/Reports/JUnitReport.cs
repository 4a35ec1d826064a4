using System.Globalization;
using System.Text;
using System.Xml;
using AiConformance.Plugin.Results;

namespace AiConformance.Plugin.Reports;

/// <summary>
/// <c>junit.xml</c> in the flat shape Sonobuoy reads: one <c>testsuite</c> inside <c>testsuites</c>, one
/// <c>testcase</c> per test. Sonobuoy and the CNCF validator match tests by <c>name</c> alone, so names stand alone
/// (<c>TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit</c>).
/// </summary>
public static class JUnitReport
{
    public const string FileName = "junit.xml";

    /// <summary>Name of the single test recorded when a run cannot start.</summary>
    public const string SetupTestName = "TestAiConformanceRun/Setup";

    public static void Write(string path, RunReport report)
    {
        var tests = report.Requirements.SelectMany(r => r.Tests.Select(t => (Requirement: r, Test: t))).ToList();
        var suiteName = $"ai-conformance {report.Checklist.Version}" + (report.Simulated ? $" {report.SimulatedLabel}" : "");
        var properties = new List<(string, string)>
        {
            ("checklistVersion", report.Checklist.Version),
            ("runId", report.RunId),
            ("serverVersion", report.ServerVersion ?? ""),
            ("simulated", report.Simulated ? "true" : "false"),
        };
        if (report.Simulated)
        {
            properties.Add(("simulation", report.SimulationName ?? ""));
            properties.Add(("notice", "SIMULATED run against the embedded simulated cluster; not evidence for a submission"));
        }
        if (report.Interrupted)
        {
            properties.Add(("interrupted", "true"));
        }
        WriteDocument(path, suiteName, report.Started, report.Duration, properties, tests.Select(pair => new Case(
            pair.Test,
            [("requirement", pair.Requirement.Requirement.Id), ("section", pair.Requirement.Requirement.Section), ("level", pair.Requirement.Requirement.LevelText)])).ToList());
    }

    /// <summary>A JUnit file recording that the run could not start, so Sonobuoy shows the reason as a failure.</summary>
    public static void WriteSetupError(string path, string error, bool simulated)
    {
        var test = new TestRecord(SetupTestName, "", TestOutcome.Error, error);
        WriteDocument(path, "ai-conformance" + (simulated ? " SIMULATED" : ""), DateTimeOffset.UtcNow, TimeSpan.Zero,
            [("simulated", simulated ? "true" : "false")], [new Case(test, [])]);
    }

    private sealed record Case(TestRecord Test, IReadOnlyList<(string Name, string Value)> Properties);

    private static void WriteDocument(
        string path, string suiteName, DateTimeOffset started, TimeSpan duration,
        IReadOnlyList<(string Name, string Value)> properties, IReadOnlyList<Case> cases)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var writer = XmlWriter.Create(path, settings);
        var counts = new[]
        {
            ("tests", cases.Count),
            ("failures", cases.Count(c => c.Test.Outcome == TestOutcome.Failed)),
            ("errors", cases.Count(c => c.Test.Outcome == TestOutcome.Error)),
            ("skipped", cases.Count(c => c.Test.IsSkip)),
        };
        writer.WriteStartDocument();
        writer.WriteStartElement("testsuites");
        writer.WriteAttributeString("name", suiteName);
        WriteCounts(writer, counts, duration);
        writer.WriteStartElement("testsuite");
        writer.WriteAttributeString("name", suiteName);
        WriteCounts(writer, counts, duration);
        writer.WriteAttributeString("timestamp", started.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        WriteProperties(writer, properties);
        foreach (var testCase in cases)
        {
            WriteCase(writer, testCase);
        }
        writer.WriteEndElement();
        writer.WriteEndElement();
        writer.WriteEndDocument();
    }

    private static void WriteCase(XmlWriter writer, Case testCase)
    {
        var test = testCase.Test;
        writer.WriteStartElement("testcase");
        writer.WriteAttributeString("name", test.Name);
        writer.WriteAttributeString("classname", "ai-conformance" + (test.RequirementId.Length > 0 ? "." + test.RequirementId : ""));
        writer.WriteAttributeString("time", Seconds(test.Duration));
        WriteProperties(writer, testCase.Properties);
        switch (test.Outcome)
        {
            case TestOutcome.Failed or TestOutcome.Error:
                writer.WriteStartElement(test.Outcome == TestOutcome.Failed ? "failure" : "error");
                writer.WriteAttributeString("message", Clean(test.Message));
                writer.WriteAttributeString("type", test.Outcome == TestOutcome.Failed ? "Failure" : "Error");
                writer.WriteString(Clean(string.Join("\n", new[] { test.Message, test.Details }.Where(s => s.Length > 0))));
                writer.WriteEndElement();
                break;
            case TestOutcome.NotApplicable or TestOutcome.NeedsAttestation:
                writer.WriteStartElement("skipped");
                var kind = test.Outcome == TestOutcome.NotApplicable ? "not applicable" : "needs attestation";
                writer.WriteAttributeString("message", Clean($"{kind}: {test.Message}"));
                writer.WriteEndElement();
                break;
        }
        if (test.Output.Length > 0)
        {
            writer.WriteElementString("system-out", Clean(test.Output));
        }
        writer.WriteEndElement();
    }

    private static void WriteCounts(XmlWriter writer, IEnumerable<(string Name, int Count)> counts, TimeSpan duration)
    {
        foreach (var (name, count) in counts)
        {
            writer.WriteAttributeString(name, count.ToString(CultureInfo.InvariantCulture));
        }
        writer.WriteAttributeString("time", Seconds(duration));
    }

    private static void WriteProperties(XmlWriter writer, IReadOnlyList<(string Name, string Value)> properties)
    {
        if (properties.Count == 0)
        {
            return;
        }
        writer.WriteStartElement("properties");
        foreach (var (name, value) in properties)
        {
            writer.WriteStartElement("property");
            writer.WriteAttributeString("name", name);
            writer.WriteAttributeString("value", Clean(value));
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Drops characters XML 1.0 cannot carry (test output may hold control characters).</summary>
    private static string Clean(string text)
    {
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
            {
                clean.Append(text[i]);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                clean.Append(text, i, 2);
                i++;
            }
        }
        return clean.ToString();
    }
}
