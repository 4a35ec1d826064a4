using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using AiConformance.Checklist;

namespace AiConformance.Plugin.Cli;

/// <summary><c>aiconformance version</c>: this build's version, the embedded checklists and the runtime.</summary>
public static class VersionCommand
{
    public static string Version =>
        typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(VersionCommand).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static Command Create()
    {
        var command = new Command("version", "Print the plugin version, the embedded checklist versions and the runtime.");
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"aiconformance {Version}");
            output.WriteLine($"checklists: {string.Join(", ", ChecklistCatalog.Versions.Select(v => v.Version))}");
            output.WriteLine($"nunit: {typeof(NUnit.Framework.Assert).Assembly.GetName().Version}");
            output.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
            return 0;
        });
        return command;
    }
}
