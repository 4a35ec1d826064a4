using AiConformance.ClusterSim.Behaviours;
using AiConformance.ClusterSim.Server;

namespace AiConformance.ClusterSim.Modules.Autoscaling.Keda;

/// <summary>What a broken KEDA metrics server answers for a ScaledObject's metric instead of reading its trigger.</summary>
public interface IKedaFault
{
    string Name { get; }

    /// <summary>The answer to a request for <paramref name="metric"/>.</summary>
    AggregatedResponse Answer(string metric);
}

/// <summary>KEDA's faults, by the name a scenario's <c>fault:</c> option gives.</summary>
public static class KedaFaults
{
    public static readonly FaultCatalog<IKedaFault> Catalog = new("a KEDA fault", new Dictionary<string, Func<IKedaFault>>
    {
        [NoMetricValue.FaultName] = () => new NoMetricValue(),
    });
}

/// <summary>Every ScaledObject metric is answered with an empty list, so the HPA KEDA made never scales.</summary>
public sealed class NoMetricValue : IKedaFault
{
    public const string FaultName = "no-metric-value";

    public string Name => FaultName;

    public AggregatedResponse Answer(string metric) => new(200, MetricsAdapterBehaviour.ExternalMetricValueList(metric, null));
}
