using System.Collections;
using System.Diagnostics;

namespace AiConformance.Workloads.Probe;

/// <summary>The container the process really runs in: its own files, environment and PATH.</summary>
public sealed class HostContainerView : IContainerView
{
    /// <summary>nvidia-smi can hang on a wedged GPU; the probe reports that rather than hanging the pod.</summary>
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    public IReadOnlyDictionary<string, string> Environment { get; } =
        System.Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .ToDictionary(entry => (string)entry.Key, entry => (string?)entry.Value ?? "");

    public bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    public string? ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException) { return null; }
    }

    public IReadOnlyList<string> List(string directory)
    {
        try { return [.. Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal)]; }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException) { return []; }
    }

    public CommandOutput? Run(string program, params string[] arguments)
    {
        var executable = FindOnPath(program);
        if (executable is null) return null;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start);
        if (process is null) return null;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill(entireProcessTree: true);
            return new CommandOutput(-1, "", $"{program} did not finish within {CommandTimeout.TotalSeconds:0} s");
        }
        return new CommandOutput(process.ExitCode, output.Result, error.Result);
    }

    private string? FindOnPath(string program)
    {
        var path = Environment.GetValueOrDefault("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, program))
            .FirstOrDefault(File.Exists);
    }
}
