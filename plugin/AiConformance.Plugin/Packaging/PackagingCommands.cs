using System.CommandLine;
using AiConformance.Plugin.Packaging.Images;
using AiConformance.Plugin.Packaging.Submission;

namespace AiConformance.Plugin.Packaging;

/// <summary>Commands that package a run for others: the images to mirror, and the CNCF submission folders.</summary>
public static class PackagingCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return ImagesCommand.Create();
        yield return SubmissionCommand.Create();
    }
}
