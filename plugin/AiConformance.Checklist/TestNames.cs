namespace AiConformance.Checklist;

/// <summary>
/// JUnit test names. Sonobuoy and the CNCF validator match tests by name only, so every name stands alone as
/// <c>Test&lt;Requirement&gt;/&lt;Behaviour&gt;</c>; the requirement part is the upstream Go suite's test name where one exists.
/// </summary>
public static class TestNames
{
    private static readonly Dictionary<string, string> Upstream = new()
    {
        ["secure_accelerator_access"] = "TestSecureAcceleratorAccess",
        ["gang_scheduling"] = "TestGangScheduling",
        ["cluster_autoscaling"] = "TestAcceleratorClusterAutoscaling",
        ["robust_controller"] = "TestRobustCRDControllerOperation",
        ["workload_sandboxing"] = "TestWorkloadSandboxing",
        ["driver_runtime_management"] = "TestAcceleratorDriverRuntimeManagement",
        ["dra_support"] = "TestAcceleratorResourceExposureAllocation",
        ["accelerator_metrics"] = "TestAcceleratorPerformanceMetrics",
    };

    /// <summary>The requirement part of a test name, e.g. <c>TestGangScheduling</c> or <c>TestPodAutoscaling</c>.</summary>
    public static string ForRequirement(string requirementId) =>
        Upstream.TryGetValue(requirementId, out var name)
            ? name
            : "Test" + string.Concat(requirementId.Split('_', StringSplitOptions.RemoveEmptyEntries)
                .Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>The full test name, e.g. <c>TestGangScheduling/NoMemberStartsWhenTheGroupDoesNotFit</c>.</summary>
    public static string ForTest(string requirementId, string behaviour) => $"{ForRequirement(requirementId)}/{behaviour}";
}
