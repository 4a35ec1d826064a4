namespace AiConformance.Suite.Framework;

/// <summary>
/// The waits every fixture uses, in one place so a user can stretch them for a slow cluster with the configuration key
/// <c>timeouts.scale</c> (e.g. <c>2</c> doubles every wait). One line per wait: its name, its default on a real
/// cluster, and what it waits for.
/// </summary>
public sealed record Timeouts(double Scale = 1.0)
{
    public TimeSpan ObjectCreated => Scaled(TimeSpan.FromSeconds(30));      // a created object being seen by the API
    public TimeSpan PodScheduled => Scaled(TimeSpan.FromMinutes(2));        // a pod bound to a node (or refused with a reason)
    public TimeSpan PodRunning => Scaled(TimeSpan.FromMinutes(5));          // a pod's containers running (images pulled)
    public TimeSpan PodCompleted => Scaled(TimeSpan.FromMinutes(5));        // a pod or Job running to its end
    public TimeSpan NamespaceDeleted => Scaled(TimeSpan.FromMinutes(2));    // a namespace and everything in it gone
    public TimeSpan DevicesReleased => Scaled(TimeSpan.FromMinutes(2));     // a deleted pod's accelerators free again
    public TimeSpan RouteAccepted => Scaled(TimeSpan.FromMinutes(2));       // a Gateway or route with its controller's conditions (Accepted, Programmed, ResolvedRefs)
    public TimeSpan MetricsAppear => Scaled(TimeSpan.FromMinutes(3));       // metric series appearing or changing on an exporter or in a monitoring system
    public TimeSpan Autoscaled => Scaled(TimeSpan.FromMinutes(10));         // an autoscaler acting on its metric (scale-up, or scale-down after the stabilization window)
    public TimeSpan Reconciled => Scaled(TimeSpan.FromMinutes(10));         // an operator reconciling a custom resource into ready workloads (their images pulled)
    public TimeSpan Collected => Scaled(TimeSpan.FromMinutes(2));           // the garbage collector removing what a deleted owner owned
    public TimeSpan NodeScaleUp => Scaled(TimeSpan.FromMinutes(20));        // a node pool growing by a node (provisioned, registered, accelerators published) and the pending pod running there
    public TimeSpan NodeScaleDown => Scaled(TimeSpan.FromMinutes(30));      // a node pool shrinking back once the nodes it added are idle (unneeded time and delays)

    /// <summary>The defaults multiplied by <c>timeouts.scale</c> from <paramref name="configuration"/>.</summary>
    public static Timeouts From(SuiteConfiguration configuration)
    {
        var scale = configuration.GetDouble("timeouts.scale", 1.0);
        if (scale <= 0)
        {
            throw new ConfigurationException($"configuration key 'timeouts.scale' is {scale}, expected a number above 0");
        }
        return new Timeouts(scale);
    }

    private TimeSpan Scaled(TimeSpan wait) => wait * Scale;
}
