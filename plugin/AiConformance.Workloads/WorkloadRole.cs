namespace AiConformance.Workloads;

/// <summary>The parts the plugin image plays in the fixtures' pods.</summary>
public static class WorkloadRoles
{
    public const string Probe = "probe";
}
