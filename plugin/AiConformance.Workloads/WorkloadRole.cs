namespace AiConformance.Workloads;

/// <summary>The parts the plugin image plays in the fixtures' pods.</summary>
public static class WorkloadRoles
{
    public const string Probe = "probe";
    public const string ServeEcho = "serve-echo";
    public const string ServeModel = "serve-model";
    public const string Load = "load";
}
