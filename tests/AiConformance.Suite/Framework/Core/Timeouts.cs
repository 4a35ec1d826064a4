namespace AiConformance.Suite.Framework;

/// <summary>
/// The waits every fixture uses, in one place so a user can stretch them for a slow cluster with the configuration key
/// <c>timeouts.scale</c> (e.g. <c>2</c> doubles every wait). Named by what is waited for.
/// </summary>
public sealed record Timeouts
{
    public TimeSpan ObjectCreated { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan PodScheduled { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan PodRunning { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan PodCompleted { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan NamespaceDeleted { get; init; } = TimeSpan.FromMinutes(2);
    public TimeSpan DevicesReleased { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A Gateway or route reporting the conditions its controller writes (Accepted, Programmed, ResolvedRefs).</summary>
    public TimeSpan RouteAccepted { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Metric series appearing or changing on an exporter or in a monitoring system.</summary>
    public TimeSpan MetricsAppear { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>An autoscaler acting on its metric (scale-up or scale-down after the stabilization window).</summary>
    public TimeSpan Autoscaled { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>An operator reconciling a custom resource into workloads that run and are ready (their images pulled).</summary>
    public TimeSpan Reconciled { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The garbage collector removing what a deleted owner owned.</summary>
    public TimeSpan Collected { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>A node pool growing by a node (provisioned, registered, accelerators published) and the pending pod running there.</summary>
    public TimeSpan NodeScaleUp { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>A node pool shrinking back once the nodes it added are idle (the autoscaler's unneeded time and its delays).</summary>
    public TimeSpan NodeScaleDown { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The defaults multiplied by <c>timeouts.scale</c> from <paramref name="configuration"/>.</summary>
    public static Timeouts From(SuiteConfiguration configuration)
    {
        var scale = configuration.GetDouble("timeouts.scale", 1.0);
        if (scale <= 0)
        {
            throw new ConfigurationException($"configuration key 'timeouts.scale' is {scale}, expected a number above 0");
        }
        return new Timeouts().Scaled(scale);
    }

    public Timeouts Scaled(double factor) => new()
    {
        ObjectCreated = ObjectCreated * factor,
        PodScheduled = PodScheduled * factor,
        PodRunning = PodRunning * factor,
        PodCompleted = PodCompleted * factor,
        NamespaceDeleted = NamespaceDeleted * factor,
        DevicesReleased = DevicesReleased * factor,
        RouteAccepted = RouteAccepted * factor,
        MetricsAppear = MetricsAppear * factor,
        Autoscaled = Autoscaled * factor,
        Reconciled = Reconciled * factor,
        Collected = Collected * factor,
        NodeScaleUp = NodeScaleUp * factor,
        NodeScaleDown = NodeScaleDown * factor,
    };
}
