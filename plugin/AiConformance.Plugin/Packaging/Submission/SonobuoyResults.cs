using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace AiConformance.Plugin.Packaging.Submission;

/// <summary>Raised for input that cannot be turned into a submission; the message says what to do.</summary>
public sealed class SubmissionInputException(string message) : Exception(message);

/// <summary>
/// The plugin results inside a <c>sonobuoy retrieve</c> tarball: <c>plugins/&lt;name&gt;/results/global/...</c> for
/// Job plugins. A plugin's results that arrived as a gzipped tarball (what the plugin named in <c>done</c>, when the
/// aggregator kept it packed) are unpacked too.
/// </summary>
public sealed partial class SonobuoyResults
{
    private readonly Dictionary<string, Dictionary<string, byte[]>> plugins;

    private SonobuoyResults(Dictionary<string, Dictionary<string, byte[]>> plugins) => this.plugins = plugins;

    public IReadOnlyCollection<string> PluginNames => plugins.Keys;

    public static SonobuoyResults Read(string tarballPath)
    {
        if (!File.Exists(tarballPath))
        {
            throw new SubmissionInputException(
                $"{tarballPath} does not exist; give the file 'sonobuoy retrieve' wrote (e.g. 202601011200_sonobuoy_<uuid>.tar.gz)");
        }
        var plugins = new Dictionary<string, Dictionary<string, byte[]>>(StringComparer.Ordinal);
        try
        {
            using var file = File.OpenRead(tarballPath);
            foreach (var (path, content) in ReadTar(file))
            {
                var match = PluginResultPath().Match(path);
                if (!match.Success)
                {
                    continue;
                }
                var files = plugins.TryGetValue(match.Groups["plugin"].Value, out var existing)
                    ? existing
                    : plugins[match.Groups["plugin"].Value] = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                var relative = match.Groups["file"].Value;
                if (relative.EndsWith(".tar.gz", StringComparison.Ordinal) && !relative.Contains('/'))
                {
                    foreach (var (innerPath, innerContent) in ReadTar(new MemoryStream(content)))
                    {
                        files[innerPath] = innerContent;
                    }
                }
                else
                {
                    files[relative] = content;
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new SubmissionInputException($"{tarballPath} is not a gzipped tar file ({e.Message}); give the tarball 'sonobuoy retrieve' wrote");
        }
        if (plugins.Count == 0)
        {
            throw new SubmissionInputException(
                $"{tarballPath} holds no plugins/<name>/results/ folder; is it a 'sonobuoy retrieve' tarball of a finished run? ('sonobuoy status' should say complete)");
        }
        return new SonobuoyResults(plugins);
    }

    /// <summary>The result files of a plugin, by path relative to its results folder (e.g. <c>junit_01.xml</c>).</summary>
    public IReadOnlyDictionary<string, byte[]> FilesOf(string plugin) =>
        plugins.TryGetValue(plugin, out var files) ? files : new Dictionary<string, byte[]>();

    /// <summary>The plugin whose results hold a file matching <paramref name="fileName"/>, or null.</summary>
    public string? FindPluginWith(Regex fileName) =>
        plugins.Where(p => p.Value.Keys.Any(k => fileName.IsMatch(k))).Select(p => p.Key).Order(StringComparer.Ordinal).FirstOrDefault();

    public static string Text(byte[] content) => new UTF8Encoding(false).GetString(content);

    private static IEnumerable<(string Path, byte[] Content)> ReadTar(Stream compressed)
    {
        using var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
            {
                continue;
            }
            using var buffer = new MemoryStream();
            entry.DataStream.CopyTo(buffer);
            yield return (entry.Name.Replace('\\', '/').TrimStart('.', '/'), buffer.ToArray());
        }
    }

    /// <summary>Job plugins' results are under <c>results/global</c>; an optional top folder is allowed.</summary>
    [GeneratedRegex(@"^(?:[^/]+/)?plugins/(?<plugin>[^/]+)/results/global/(?<file>.+)$")]
    private static partial Regex PluginResultPath();
}
