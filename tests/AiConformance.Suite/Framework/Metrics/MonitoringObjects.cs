using k8s.Models;

namespace AiConformance.Suite.Framework.Metrics;

/// <summary>A Prometheus Operator object (<c>monitoring.coreos.com/v1</c>): the fixtures read and write its spec as JSON.</summary>
public abstract class MonitoringObject : CustomObject;

[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "Prometheus", PluralName = "prometheuses")]
public sealed class PrometheusObject : MonitoringObject
{
    public PrometheusObject() => (ApiVersion, Kind) = ("monitoring.coreos.com/v1", "Prometheus");
}

[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "PodMonitor", PluralName = "podmonitors")]
public sealed class PodMonitor : MonitoringObject
{
    public PodMonitor() => (ApiVersion, Kind) = ("monitoring.coreos.com/v1", "PodMonitor");
}

[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "ServiceMonitor", PluralName = "servicemonitors")]
public sealed class ServiceMonitor : MonitoringObject
{
    public ServiceMonitor() => (ApiVersion, Kind) = ("monitoring.coreos.com/v1", "ServiceMonitor");
}
