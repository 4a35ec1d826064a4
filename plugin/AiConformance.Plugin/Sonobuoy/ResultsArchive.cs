using System.Formats.Tar;
using System.IO.Compression;

namespace AiConformance.Plugin.Sonobuoy;

/// <summary>
/// Hands the results to Sonobuoy: a .tar.gz of the results folder, then the <c>done</c> file holding the archive's
/// absolute path. <c>done</c> is written last, through a temporary file and a rename, so the worker never reads it early.
/// </summary>
public static class ResultsArchive
{
    public const string ArchiveName = "ai-conformance-results.tar.gz";

    public static string WriteArchiveAndDone(string resultsDirectory)
    {
        var directory = Path.GetFullPath(resultsDirectory);
        var archive = Path.Combine(directory, ArchiveName);
        var staging = archive + ".partial";
        using (var file = File.Create(staging))
        using (var gzip = new GZipStream(file, CompressionLevel.Optimal))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: false))
        {
            foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(directory, path).Replace('\\', '/');
                if (relative is "done" or ArchiveName || relative.StartsWith("done.", StringComparison.Ordinal) || path == staging)
                {
                    continue;
                }
                tar.WriteEntry(path, relative);
            }
        }
        File.Move(staging, archive, overwrite: true);
        var done = Path.Combine(directory, "done");
        var doneStaging = done + ".partial";
        File.WriteAllText(doneStaging, archive);
        File.Move(doneStaging, done, overwrite: true);
        return archive;
    }
}
