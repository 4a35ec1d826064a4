using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiConformance.Checklist;
using AiConformance.Plugin.Running;
using AiConformance.Suite.Framework;
using k8s;

namespace AiConformance.Plugin.Cli;

/// <summary><c>aiconformance list</c>: the requirements of a checklist version and the tests that prove each.</summary>
public static class ListCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public sealed record ListedRequirement(
        string Id, string Section, string Level, string Description, IReadOnlyList<string> Tests);

    public sealed record Listing(
        [property: JsonPropertyName("checklist")] string Checklist, IReadOnlyList<ListedRequirement> Requirements);

    public static Command Create()
    {
        var checklist = CommandOptions.Checklist($"Checklist version (default: the newest, {ChecklistCatalog.Newest.Version}).");
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var suiteAssembly = CommandOptions.SuiteAssembly();
        var command = new Command("list", "List each requirement of a checklist version (id, section, level) and its tests.")
        {
            checklist, format, suiteAssembly,
        };
        command.SetAction(parse =>
        {
            try
            {
                var version = parse.GetValue(checklist) is { } named ? ChecklistSelection.Named(named) : ChecklistCatalog.Newest;
                RunContext.Current = OfflineContext(version);
                var listing = Build(version, SuiteAssembly.Load(parse.GetValue(suiteAssembly)));
                parse.InvocationConfiguration.Output.Write(parse.GetValue(format) == "json" ? RenderJson(listing) : RenderTable(listing));
                return ExitCodes.Conformant;
            }
            catch (Exception e) when (e is ChecklistSelectionException or RunSetupException)
            {
                parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.UsageError;
            }
            finally
            {
                RunContext.Reset();
            }
        });
        return command;
    }

    /// <summary>
    /// Listing never talks to a cluster, but test case sources run while NUnit loads the suite and may ask the run
    /// context; this one answers at once with "connection refused" instead of reaching whatever KUBECONFIG names.
    /// </summary>
    private static RunContext OfflineContext(ChecklistVersion version) => new()
    {
        Kubernetes = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }),
        RunId = "list",
        Checklist = version,
        Configuration = SuiteConfiguration.Empty,
    };

    public static Listing Build(ChecklistVersion version, SuiteAssembly suite) => new(
        version.Version,
        version.Requirements.Select(r => new ListedRequirement(
            r.Id, r.Section, r.LevelText, r.Description,
            suite.Tests.Where(t => t.RequirementId == r.Id).Select(t => t.Name).ToList())).ToList());

    public static string RenderJson(Listing listing) => JsonSerializer.Serialize(listing, Json) + "\n";

    public static string RenderTable(Listing listing)
    {
        var idWidth = Math.Max("REQUIREMENT".Length, listing.Requirements.Max(r => r.Id.Length));
        var sectionWidth = Math.Max("SECTION".Length, listing.Requirements.Max(r => r.Section.Length));
        var text = new StringBuilder($"Checklist {listing.Checklist}\n");
        text.Append($"{"REQUIREMENT".PadRight(idWidth)}  {"SECTION".PadRight(sectionWidth)}  {"LEVEL",-6}  TESTS\n");
        foreach (var r in listing.Requirements)
        {
            var tests = r.Tests.Count == 0 ? "(none: needs attestation)" : r.Tests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            text.Append($"{r.Id.PadRight(idWidth)}  {r.Section.PadRight(sectionWidth)}  {r.Level,-6}  {tests}\n");
            foreach (var test in r.Tests)
            {
                text.Append($"    {test}\n");
            }
        }
        return text.ToString();
    }
}
