namespace AiConformance.Workloads.Probe;

/// <summary>
/// A container view held in memory: files (device files are files with empty text), environment and programs whose
/// output is computed on call. The simulated kubelet builds one per container from the pod's allocation; unit tests
/// build them by hand.
/// </summary>
public sealed class InMemoryContainerView : IContainerView
{
    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Func<string[], CommandOutput>> programs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> environment = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Environment => environment;

    public InMemoryContainerView WithFile(string path, string text = "")
    {
        files[path] = text;
        return this;
    }

    public InMemoryContainerView WithoutFile(string path)
    {
        files.Remove(path);
        return this;
    }

    public InMemoryContainerView WithEnvironment(string name, string value)
    {
        environment[name] = value;
        return this;
    }

    public InMemoryContainerView WithProgram(string name, Func<string[], CommandOutput> run)
    {
        programs[name] = run;
        return this;
    }

    public bool Exists(string path) => files.ContainsKey(path) || files.Keys.Any(file => file.StartsWith(path.TrimEnd('/') + "/", StringComparison.Ordinal));

    public string? ReadText(string path) => files.GetValueOrDefault(path);

    /// <summary>Direct children of the directory, files and subdirectories alike.</summary>
    public IReadOnlyList<string> List(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        return [.. files.Keys
            .Where(path => path.StartsWith(prefix, StringComparison.Ordinal))
            .Select(path => prefix + path[prefix.Length..].Split('/')[0])
            .Distinct()
            .Order(StringComparer.Ordinal)];
    }

    public CommandOutput? Run(string program, params string[] arguments) =>
        programs.TryGetValue(program, out var run) ? run(arguments) : null;
}
