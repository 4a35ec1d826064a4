using System.Runtime.CompilerServices;

namespace AiConformance.Suite.Framework;

/// <summary>The run's <see cref="Timeouts"/>, built once per run context from its configuration.</summary>
public static class RunContextTimeouts
{
    private static readonly ConditionalWeakTable<RunContext, Timeouts> Cache = [];

    public static Timeouts Timeouts(this RunContext run) =>
        Cache.GetValue(run, context => Framework.Timeouts.From(context.Configuration));
}
