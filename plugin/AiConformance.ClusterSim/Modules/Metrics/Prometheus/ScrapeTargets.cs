using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.Behaviours;
using ObjectMeta = AiConformance.ClusterSim.Store.ObjectMeta;
using ResourceKind = AiConformance.ClusterSim.Store.ResourceKind;
using IClusterStore = AiConformance.ClusterSim.Store.IClusterStore;
using LabelSelector = AiConformance.ClusterSim.Store.LabelSelector;

namespace AiConformance.ClusterSim.Modules.Metrics.Prometheus;

/// <summary>Where a target was discovered from.</summary>
public enum TargetSource { PodMonitor, ServiceMonitor, Annotations }

/// <summary>One scrape target: where to read, and the labels Prometheus attaches to every sample read from it.</summary>
public sealed record ScrapeTarget(TargetSource Source, string Address, int Port, string Path, IReadOnlyDictionary<string, string> Labels)
{
    public string Key => $"{Labels.GetValueOrDefault("job")}/{Address}:{Port}{Path}";

    public string Url => $"http://{Address}:{Port}{Path}";
}

/// <summary>
/// The targets the simulated Prometheus discovers, as its Kubernetes service discovery and the relabelling of its
/// scrape configuration produce them: from the PodMonitors and ServiceMonitors its <c>Prometheus</c> object selects
/// (the Prometheus Operator's configuration: <c>job</c> <c>namespace/name</c> of a PodMonitor or the Service's name,
/// with <c>namespace</c>, <c>pod</c>, <c>container</c>, <c>endpoint</c>, <c>service</c> and <c>instance</c>), or from the pods
/// annotated <c>prometheus.io/scrape: "true"</c> (the Prometheus Helm chart's <c>kubernetes-pods</c> job: <c>namespace</c>,
/// <c>pod</c>, <c>node</c> and the pod's labels). Pods that have not started or have finished are not targets.
/// </summary>
public sealed class ScrapeTargets(IClusterStore store, PrometheusOptions options)
{
    public static readonly ResourceKind Prometheus = new("monitoring.coreos.com", "v1", "Prometheus", "prometheuses", true);
    public static readonly ResourceKind PodMonitor = new("monitoring.coreos.com", "v1", "PodMonitor", "podmonitors", true);
    public static readonly ResourceKind ServiceMonitor = new("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", true);

    public IReadOnlyList<ScrapeTarget> Discover(string prometheusName)
    {
        var targets = new List<ScrapeTarget>();
        if (options.Discovery == TargetDiscovery.Annotations)
        {
            if (Discovers(TargetSource.Annotations)) targets.AddRange(Annotated());
            return targets;
        }
        if (store.Get(Prometheus, options.Namespace, prometheusName)?["spec"] is not JsonObject spec) return targets;
        if (Discovers(TargetSource.PodMonitor))
            foreach (var monitor in Monitors(PodMonitor, spec["podMonitorSelector"], spec["podMonitorNamespaceSelector"]))
                targets.AddRange(FromPodMonitor(monitor));
        if (Discovers(TargetSource.ServiceMonitor))
            foreach (var monitor in Monitors(ServiceMonitor, spec["serviceMonitorSelector"], spec["serviceMonitorNamespaceSelector"]))
                targets.AddRange(FromServiceMonitor(monitor));
        return targets;
    }

    private bool Discovers(TargetSource source) => options.Fault?.Discovers(source) ?? true;

    private bool Sees(string? ns) => ns is not null && (options.Fault?.SeesNamespace(ns, options.Namespace) ?? true);

    /// <summary>The monitors a Prometheus selects: a null selector selects none; a null namespace selector means its own namespace only.</summary>
    private IEnumerable<JsonObject> Monitors(ResourceKind kind, JsonNode? selector, JsonNode? namespaceSelector)
    {
        var selects = LabelSelector.FromLabelSelector(selector);
        var namespaces = namespaceSelector is null ? [options.Namespace]
            : store.List(Kinds.Namespace).Where(LabelSelector.FromLabelSelector(namespaceSelector).Matches).Select(ns => ns.Name()).ToHashSet();
        return store.List(kind).Where(monitor => namespaces.Contains(monitor.Namespace() ?? "") && selects.Matches(monitor));
    }

    /// <summary>The namespaces a monitor looks in: <c>any</c>, <c>matchNames</c>, or its own.</summary>
    private Func<string?, bool> InNamespaces(JsonObject monitor)
    {
        var selector = monitor["spec"]?["namespaceSelector"];
        if ((bool?)selector?["any"] == true) return Sees;
        var names = (selector?["matchNames"] as JsonArray ?? []).Select(name => (string?)name).ToHashSet();
        if (names.Count == 0) names.Add(monitor.Namespace());
        return ns => names.Contains(ns) && Sees(ns);
    }

    private IEnumerable<ScrapeTarget> FromPodMonitor(JsonObject monitor)
    {
        var selects = LabelSelector.FromLabelSelector(monitor["spec"]?["selector"]);
        var inNamespaces = InNamespaces(monitor);
        var job = $"{monitor.Namespace()}/{monitor.Name()}";
        foreach (var pod in store.List(Kinds.Pod).Where(pod => inNamespaces(pod.Namespace()) && selects.Matches(pod) && IsScrapeable(pod)))
        foreach (var endpoint in (monitor["spec"]?["podMetricsEndpoints"] as JsonArray ?? []).OfType<JsonObject>())
        foreach (var (container, port, name) in ContainerPorts(pod).Where(p => PortMatches(endpoint, p.Port, p.Name)))
        {
            yield return new ScrapeTarget(TargetSource.PodMonitor, pod.PodIp()!, port, (string?)endpoint["path"] ?? "/metrics", new Dictionary<string, string>
            {
                ["job"] = job, ["namespace"] = pod.Namespace()!, ["pod"] = pod.Name(), ["container"] = container,
                ["endpoint"] = name ?? port.ToString(System.Globalization.CultureInfo.InvariantCulture), ["instance"] = $"{pod.PodIp()}:{port}",
            });
        }
    }

    private IEnumerable<ScrapeTarget> FromServiceMonitor(JsonObject monitor)
    {
        var selects = LabelSelector.FromLabelSelector(monitor["spec"]?["selector"]);
        var inNamespaces = InNamespaces(monitor);
        foreach (var service in store.List(Kinds.Service).Where(service => inNamespaces(service.Namespace()) && selects.Matches(service)))
        foreach (var endpoint in (monitor["spec"]?["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
        foreach (var slice in store.List(Kinds.EndpointSlice, service.Namespace(), slice => slice.Label("kubernetes.io/service-name") == service.Name()))
        {
            var port = (slice["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => PortMatches(endpoint, JsonNumber.Int(p["port"]) ?? 0, (string?)p["name"]));
            if (port is null || JsonNumber.Int(port["port"]) is not { } number) continue;
            foreach (var address in (slice["endpoints"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var podName = (string?)address["targetRef"]?["name"];
                var pod = podName is null ? null : store.Get(Kinds.Pod, service.Namespace(), podName);
                if (pod is null || !IsScrapeable(pod)) continue;
                var labels = new Dictionary<string, string>
                {
                    ["job"] = service.Name(), ["namespace"] = service.Namespace()!, ["service"] = service.Name(), ["pod"] = pod.Name(),
                    ["endpoint"] = (string?)port["name"] ?? number.ToString(System.Globalization.CultureInfo.InvariantCulture), ["instance"] = $"{pod.PodIp()}:{number}",
                };
                if (ContainerPorts(pod).FirstOrDefault(p => p.Port == number) is { Container: { } container }) labels["container"] = container;
                yield return new ScrapeTarget(TargetSource.ServiceMonitor, pod.PodIp()!, number, (string?)endpoint["path"] ?? "/metrics", labels);
            }
        }
    }

    private IEnumerable<ScrapeTarget> Annotated()
    {
        foreach (var pod in store.List(Kinds.Pod).Where(pod => Sees(pod.Namespace()) && IsScrapeable(pod)))
        {
            var annotations = ObjectMeta.StringMap(pod.Metadata()["annotations"]);
            if (annotations.GetValueOrDefault("prometheus.io/scrape") != "true") continue;
            var ports = int.TryParse(annotations.GetValueOrDefault("prometheus.io/port"), out var annotated) ? [annotated]
                : ContainerPorts(pod).Select(p => p.Port).Distinct().ToList();
            foreach (var port in ports)
            {
                var labels = ObjectMeta.Labels(pod).ToDictionary(label => Sanitized(label.Key), label => label.Value, StringComparer.Ordinal);
                labels["job"] = "kubernetes-pods";
                labels["namespace"] = pod.Namespace()!;
                labels["pod"] = pod.Name();
                labels["node"] = pod.NodeName() ?? "";
                labels["instance"] = $"{pod.PodIp()}:{port}";
                yield return new ScrapeTarget(TargetSource.Annotations, pod.PodIp()!, port, annotations.GetValueOrDefault("prometheus.io/path") ?? "/metrics", labels);
            }
        }
    }

    /// <summary>A pod with an address that is running (the relabelling drops Pending, Succeeded and Failed pods).</summary>
    private static bool IsScrapeable(JsonObject pod) => pod.PodIp() is not null && pod.Phase() == "Running" && !pod.IsDeleting();

    private static IEnumerable<(string Container, int Port, string? Name)> ContainerPorts(JsonObject pod) =>
        (pod["spec"]?["containers"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(container =>
            (container["ports"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(port => ((string?)container["name"] ?? "", JsonNumber.Int(port["containerPort"]) ?? 0, (string?)port["name"])));

    /// <summary>An endpoint names its port by name (<c>port</c>), by number (<c>portNumber</c>) or, deprecated, <c>targetPort</c>.</summary>
    private static bool PortMatches(JsonObject endpoint, int number, string? name) =>
        endpoint["port"] is { } port ? (string?)port == name
        : endpoint["portNumber"] is { } portNumber ? JsonNumber.Int(portNumber) == number
        : endpoint["targetPort"] is { } target ? (target.GetValueKind() == System.Text.Json.JsonValueKind.Number ? JsonNumber.Int(target) == number : (string?)target == name)
        : true;

    /// <summary>Label names as Prometheus's labelmap writes them from Kubernetes labels: every other character becomes <c>_</c>.</summary>
    private static string Sanitized(string name) => Regex.Replace(name, "[^a-zA-Z0-9_]", "_");
}
