namespace AiConformance.ClusterSim.Scenarios;

/// <summary>A scenario that cannot be used, with where (file and line) and a hint; printed without a stack trace.</summary>
public sealed class ScenarioException(string message) : Exception(message)
{
    public static ScenarioException At(string source, long line, long column, string problem) =>
        new(line > 0 ? $"{source}:{line}:{column}: {problem}" : $"{source}: {problem}");
}
