using System.Globalization;
using System.Text;
using System.Xml.Linq;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>
/// Cuts a run's JUnit file down to the tests of the requirements a submission claims that passed, and writes the
/// matching <c>e2e.log</c>. The CNCF validator rejects a <c>junit.xml</c> or <c>e2e.log</c> as a whole when any test in
/// it failed, so failed and skipped tests of unclaimed requirements cannot stay in them; the complete run is kept
/// beside them under other names.
/// </summary>
public sealed class ClaimedTests
{
    private readonly XDocument document;

    private ClaimedTests(XDocument document, IReadOnlyList<(string Name, double Seconds)> kept, int left)
    {
        this.document = document;
        Kept = kept;
        LeftOut = left;
    }

    /// <summary>Names and durations of the tests kept, in run order.</summary>
    public IReadOnlyList<(string Name, double Seconds)> Kept { get; }

    /// <summary>How many tests of the run were left out (failed, skipped or of requirements not claimed).</summary>
    public int LeftOut { get; }

    /// <param name="fullJUnit">The run's junit.xml.</param>
    /// <param name="claimedPrefixes">Test-name prefixes of the claimed requirements (e.g. <c>TestGangScheduling</c>).</param>
    /// <param name="fullRunName">File name of the complete run, recorded in the kept file's properties.</param>
    public static ClaimedTests Select(string fullJUnit, IReadOnlyCollection<string> claimedPrefixes, string fullRunName)
    {
        var document = XDocument.Parse(fullJUnit);
        var kept = new List<(string, double)>();
        var left = 0;
        foreach (var testCase in document.Descendants("testcase").ToList())
        {
            var name = (string?)testCase.Attribute("name") ?? "";
            var passed = !testCase.Elements().Any(e => e.Name.LocalName is "failure" or "error" or "skipped");
            var claimed = claimedPrefixes.Any(p => name == p || name.StartsWith(p + "/", StringComparison.Ordinal));
            if (passed && claimed)
            {
                kept.Add((name, Seconds(testCase)));
            }
            else
            {
                testCase.Remove();
                left++;
            }
        }
        foreach (var suite in document.Descendants().Where(e => e.Name.LocalName is "testsuite" or "testsuites").ToList())
        {
            var cases = suite.Descendants("testcase").ToList();
            suite.SetAttributeValue("tests", cases.Count.ToString(CultureInfo.InvariantCulture));
            suite.SetAttributeValue("failures", "0");
            suite.SetAttributeValue("errors", "0");
            suite.SetAttributeValue("skipped", "0");
            suite.SetAttributeValue("time", cases.Sum(Seconds).ToString("0.000", CultureInfo.InvariantCulture));
            if (suite.Name.LocalName == "testsuite")
            {
                RecordSubset(suite, left, fullRunName);
            }
        }
        return new ClaimedTests(document, kept, left);
    }

    public string JUnitXml()
    {
        var text = new StringBuilder();
        using (var writer = new Utf8StringWriter(text))
        {
            document.Save(writer);
        }
        return text.ToString();
    }

    /// <summary>The kept tests in <c>go test -v</c> form: each requirement a parent test, its tests subtests.</summary>
    public string GoTestLog(string fullLogName)
    {
        var log = new StringBuilder();
        log.Append(CultureInfo.InvariantCulture,
            $"# The tests of the requirements this submission claims; all passed. The complete run, {LeftOut} more test(s) included, is {fullLogName}.\n");
        foreach (var group in Kept.GroupBy(t => t.Name.Split('/')[0]))
        {
            log.Append(CultureInfo.InvariantCulture, $"=== RUN   {group.Key}\n");
            foreach (var test in group.Where(t => t.Name != group.Key))
            {
                log.Append(CultureInfo.InvariantCulture, $"=== RUN   {test.Name}\n");
            }
            log.Append(CultureInfo.InvariantCulture, $"--- PASS: {group.Key} ({Format(group.Sum(t => t.Seconds))})\n");
            foreach (var test in group.Where(t => t.Name != group.Key))
            {
                log.Append(CultureInfo.InvariantCulture, $"    --- PASS: {test.Name} ({Format(test.Seconds)})\n");
            }
        }
        log.Append("PASS\n");
        return log.ToString();
    }

    private static void RecordSubset(XElement suite, int left, string fullRunName)
    {
        var properties = suite.Element("properties");
        if (properties is null)
        {
            properties = new XElement("properties");
            suite.AddFirst(properties);
        }
        properties.Add(new XElement("property",
            new XAttribute("name", "submissionSubset"),
            new XAttribute("value", $"passed tests of the claimed requirements; {left} other test(s) are in {fullRunName}")));
    }

    private static double Seconds(XElement testCase) =>
        double.TryParse((string?)testCase.Attribute("time"), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 0;

    private static string Format(double seconds) => seconds.ToString("0.00", CultureInfo.InvariantCulture) + "s";

    private sealed class Utf8StringWriter(StringBuilder builder) : StringWriter(builder, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
