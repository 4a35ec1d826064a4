using System.Text.RegularExpressions;

namespace AiConformance.ClusterSim.Scenarios;

/// <summary>
/// The checks a scenario's own text allows (versions, names, counts, ports, statuses, rates, expected outcomes),
/// one problem line each, starting with the path of the setting so that it can be located in its file.
/// </summary>
internal static partial class ScenarioRules
{
    private static readonly string[] KubernetesVersions = ["v1.34", "v1.35", "v1.36"];
    private static readonly string[] Exposures = ["dra", "devicePlugin"];

    public static IEnumerable<string> Problems(Scenario scenario)
    {
        var problems = new List<string>();
        if (!KubernetesVersions.Contains(scenario.KubernetesVersion))
            problems.Add($"kubernetesVersion '{scenario.KubernetesVersion}' is not simulated; use one of {string.Join(", ", KubernetesVersions)}");
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < scenario.Nodes!.Count; i++)
        {
            var group = scenario.Nodes[i];
            var at = $"nodes[{i}]";
            if (!DnsLabel().IsMatch(group.Name)) problems.Add($"{at}.name '{group.Name}' must be a lowercase DNS label (a-z, 0-9, '-')");
            if (group.Count < 1) problems.Add($"{at}.count must be at least 1");
            if (!names.Add(group.Name)) problems.Add($"{at}.name '{group.Name}' is used twice");
            foreach (var (taint, t) in (group.Taints ?? []).Select((t, j) => (t, j)))
                if (taint.Effect is not ("NoSchedule" or "PreferNoSchedule" or "NoExecute"))
                    problems.Add($"{at}.taints[{t}].effect '{taint.Effect}' must be NoSchedule, PreferNoSchedule or NoExecute");
            foreach (var (accelerator, a) in (group.Accelerators ?? []).Select((x, j) => (x, j)))
            {
                if (!Exposures.Contains(accelerator.Via))
                    problems.Add($"{at}.accelerators[{a}].via '{accelerator.Via}' must be one of {string.Join(", ", Exposures)}");
                if (accelerator.Count < 1) problems.Add($"{at}.accelerators[{a}].count must be at least 1");
            }
        }
        foreach (var (rule, r) in scenario.Programs!.Select((rule, r) => (rule, r)).Where(entry => entry.rule.GpuUtilization is < 0 or > 100))
            problems.Add($"programs[{r}].gpuUtilization {rule.GpuUtilization} must be a percentage from 0 to 100");
        foreach (var (rule, r) in scenario.Programs!.Select((rule, r) => (rule, r)))
        foreach (var (answer, a) in (rule.Serves ?? []).Select((answer, a) => (answer, a)))
        {
            var at = $"programs[{r}].serves[{a}]";
            if (answer.Port is < 1 or > 65535) problems.Add($"{at}.port {answer.Port} must be a TCP port from 1 to 65535");
            if (answer.Status is < 100 or > 599) problems.Add($"{at}.status {answer.Status} must be an HTTP status from 100 to 599");
            if (answer.Path is { } path && !path.StartsWith('/')) problems.Add($"{at}.path '{path}' must start with '/'");
            if ((rule.Serves ?? []).Take(a).Any(other => other.Port == answer.Port && other.Path == answer.Path))
                problems.Add($"{at} answers port {answer.Port}, {(answer.Path is null ? "every path" : "path " + answer.Path)}, a second time");
        }
        if (scenario.Faults!.ApiErrorRate is < 0 or > 1) problems.Add("faults.apiErrorRate must be between 0 and 1");
        foreach (var code in scenario.Faults.Codes.Where(c => c is not (500 or 429 or 503 or 504)))
            problems.Add($"faults.errorCode{(scenario.Faults.ErrorCodes is null ? "" : "s")} {code} must be 500, 429, 503 or 504");
        foreach (var (requirement, status) in scenario.Expect ?? [])
        {
            if (!RequirementId().IsMatch(requirement)) problems.Add($"expect.{requirement} is not a requirement id (lowercase words joined by '_')");
            if (!Scenario.ExpectedStatuses.Contains(status))
                problems.Add($"expect.{requirement} '{status}' must be one of {string.Join(", ", Scenario.ExpectedStatuses)}");
        }
        if (scenario.Faults.CutStreamRate is < 0 or > 1) problems.Add("faults.cutStreamRate must be between 0 and 1");
        return problems;
    }

    /// <summary>Refuses the scenario when there are <paramref name="problems"/>, each prefixed with the file and line of its setting.</summary>
    public static void ThrowIfAny(ResolvedScenario resolved, IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
            throw new ScenarioException($"{resolved.Source} ({resolved.Scenario.Name}) is not a usable scenario:\n  - " +
                                        string.Join("\n  - ", problems.Select(problem => ScenarioLocations.Locate(resolved.Chain, problem))));
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex RequirementId();
}
