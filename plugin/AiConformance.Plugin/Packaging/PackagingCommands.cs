using System.CommandLine;

namespace AiConformance.Plugin.Packaging;

/// <summary>Commands about the plugin's images and submissions.</summary>
public static class PackagingCommands
{
    public static IEnumerable<Command> Create() => [];
}
