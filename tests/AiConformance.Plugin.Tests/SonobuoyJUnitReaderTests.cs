using System.Text.Json.Nodes;
using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;

namespace AiConformance.Plugin.Tests;

/// <summary>The test's JUnit reader gives the same tree as Sonobuoy's golden files, so it can judge our junit.xml.</summary>
public class SonobuoyJUnitReaderTests
{
    private static string Data(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "sonobuoy", name);

    [TestCase("job-junit-02-output2.xml", "job-junit-02.golden.json", "output2.xml")]
    [TestCase("job-junit-falsepositive-output.xml", "job-junit-falsepositive.golden.json", "output.xml")]
    public void AgreesWithSonobuoyGoldenResults(string xml, string golden, string fileItem)
    {
        var expected = JsonNode.Parse(File.ReadAllText(Data(golden)))!["items"]!.AsArray()
            .Single(i => (string?)i!["name"] == fileItem)!["items"]!.AsArray();
        AssertSameTree(SonobuoyJUnit.Read(Data(xml)), expected);
    }

    [Test]
    public void AgreesOnATestsuitesRoot()
    {
        var expected = JsonNode.Parse(File.ReadAllText(Data("item_multiple_suites.json")))!["items"]!.AsArray();
        AssertSameTree(SonobuoyJUnit.Read(Data("junit_multiple_suites.xml")), expected);
    }

    private static void AssertSameTree(IReadOnlyList<SonobuoyJUnit.Suite> suites, JsonArray expected)
    {
        Assert.That(suites.Select(s => (s.Name, s.Status)),
            Is.EqualTo(expected.Select(s => ((string)s!["name"]!, (string)s["status"]!))));
        for (var i = 0; i < suites.Count; i++)
        {
            Assert.That(suites[i].Cases.Select(c => (c.Name, c.Status)),
                Is.EqualTo(expected[i]!["items"]!.AsArray().Select(c => ((string)c!["name"]!, (string)c["status"]!))));
        }
    }
}
