namespace AiConformance.Workloads.Probe;

/// <summary>The output of a command run inside the container.</summary>
public sealed record CommandOutput(int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// What a process inside a container can see: its files (including /dev, /proc and /sys), its environment and the
/// programs on its PATH. The probe reads everything through this view, so the same code runs in a real container
/// (<see cref="HostContainerView"/>) and in the simulated cluster's kubelet (a view built from the allocation).
/// </summary>
public interface IContainerView
{
    IReadOnlyDictionary<string, string> Environment { get; }

    bool Exists(string path);

    /// <summary>The file's text, or null when it does not exist or cannot be read.</summary>
    string? ReadText(string path);

    /// <summary>Full paths of the entries of a directory; empty when it does not exist.</summary>
    IReadOnlyList<string> List(string directory);

    /// <summary>Runs a program found on PATH; null when there is no such program.</summary>
    CommandOutput? Run(string program, params string[] arguments);
}
