namespace AiConformance.Plugin.Running;

/// <summary>The documented exit codes of <c>aiconformance</c>.</summary>
public static class ExitCodes
{
    /// <summary>Every selected MUST requirement is Implemented (or N/A).</summary>
    public const int Conformant = 0;

    /// <summary>Some selected MUST requirement is not Implemented.</summary>
    public const int NotConformant = 1;

    /// <summary>Usage or configuration error: bad option, unknown checklist version, malformed config, unreadable kubeconfig.</summary>
    public const int UsageError = 2;

    /// <summary>The Kubernetes API server cannot be reached or refuses the credentials.</summary>
    public const int ClusterUnreachable = 3;
}

/// <summary>A run that cannot start; the message is the one line the user sees, hint included.</summary>
public sealed class RunSetupException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
