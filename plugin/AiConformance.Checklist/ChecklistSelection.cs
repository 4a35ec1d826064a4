using System.Globalization;
using System.Text.RegularExpressions;

namespace AiConformance.Checklist;

/// <summary>A chosen checklist version, with a warning when it is not the cluster's own minor.</summary>
public sealed record ChecklistChoice(ChecklistVersion Checklist, string? Warning);

/// <summary>Raised when no embedded checklist fits what was asked; the message says what is available.</summary>
public sealed class ChecklistSelectionException(string message) : Exception(message);

/// <summary>
/// Picks the checklist version to run: the one named by the user, else the one of the cluster's minor version.
/// A cluster newer than the newest embedded checklist gets the newest (with a warning); an older one is an error.
/// </summary>
public static partial class ChecklistSelection
{
    private static string Available => string.Join(", ", ChecklistCatalog.Versions.Select(v => v.Version));

    /// <summary>The version named like <c>v1.35</c> or <c>1.35</c>.</summary>
    public static ChecklistVersion Named(string version) =>
        ChecklistCatalog.Find(version)
        ?? throw new ChecklistSelectionException(
            $"unknown checklist version '{version}'; this build embeds {Available}");

    /// <summary>The version for a cluster reporting <paramref name="serverVersion"/> (e.g. <c>v1.35.2-gke.100</c>).</summary>
    public static ChecklistChoice ForServerVersion(string serverVersion)
    {
        var match = MinorVersion().Match(serverVersion.Trim());
        if (!match.Success || match.Groups[1].Value != "1")
        {
            throw new ChecklistSelectionException(
                $"cannot read a Kubernetes 1.x version from '{serverVersion}'; name the checklist with --checklist ({Available})");
        }
        var minor = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        if (minor < ChecklistCatalog.Oldest.Minor)
        {
            throw new ChecklistSelectionException(
                $"the cluster runs Kubernetes 1.{minor}, older than the oldest AI conformance checklist " +
                $"({ChecklistCatalog.Oldest.Version}); AI conformance starts with Kubernetes {ChecklistCatalog.Oldest.Version}");
        }
        if (minor > ChecklistCatalog.Newest.Minor)
        {
            return new ChecklistChoice(ChecklistCatalog.Newest,
                $"the cluster runs Kubernetes 1.{minor}, newer than the newest embedded checklist; " +
                $"using {ChecklistCatalog.Newest.Version}");
        }
        return new ChecklistChoice(ChecklistCatalog.Versions.Single(v => v.Minor == minor), null);
    }

    [GeneratedRegex(@"^v?(\d+)\.(\d+)")]
    private static partial Regex MinorVersion();
}
