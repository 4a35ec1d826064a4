namespace AiConformance.Suite.Framework;

internal static class RunContextFromEnvironment
{
    public static RunContext Build() => throw new InvalidOperationException("no run context");
}
