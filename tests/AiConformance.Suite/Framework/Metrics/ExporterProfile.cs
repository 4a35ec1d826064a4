namespace AiConformance.Suite.Framework.Metrics;

/// <summary>How a device label names a device: by UUID, by index (minor number) or by PCI bus id.</summary>
public enum DeviceIdentityKind { Uuid, Index, PciBusId }

/// <summary>
/// What one accelerator metrics exporter looks like: the labels of its pods, its port, the names of its per-device
/// series, the labels that identify a device and a workload, and the load image that makes its devices busy.
/// Vendor and product names live here, not in the fixtures.
/// </summary>
public sealed record ExporterProfile
{
    public required string Name { get; init; }

    /// <summary>Label selectors its pods are found by (any of them).</summary>
    public required IReadOnlyList<string> PodSelectors { get; init; }

    public required int Port { get; init; }

    public string Path { get; init; } = "/metrics";

    public required string UtilizationMetric { get; init; }

    public required string MemoryMetric { get; init; }

    public required IReadOnlyDictionary<string, DeviceIdentityKind> DeviceLabels { get; init; }

    /// <summary>The labels naming the workload that uses a device (pod, namespace), when the exporter sets them.</summary>
    public (string Pod, string Namespace)? WorkloadLabels { get; init; }

    /// <summary>
    /// For an exporter that publishes utilization and memory only for the devices a workload holds: a series it
    /// publishes for every device whatever runs, and the label naming the device (null: utilization and memory are
    /// always published for every device).
    /// </summary>
    public (string Metric, string DeviceLabel)? EveryDeviceSeries { get; init; }

    public IReadOnlyList<string> TemperatureMetrics { get; init; } = [];

    public IReadOnlyList<string> PowerMetrics { get; init; } = [];

    public IReadOnlyList<string> InterconnectMetrics { get; init; } = [];

    /// <summary>The <see cref="DefaultImages"/> key of an image that keeps one accelerator busy for a while (with <see cref="LoadCommand"/>); null when none is known.</summary>
    public string? LoadImageKey { get; init; }

    public IReadOnlyList<string> LoadCommand { get; init; } = [];

    public static readonly ExporterProfile Dcgm = new()
    {
        Name = "DcgmExporter",
        PodSelectors = ["app=nvidia-dcgm-exporter", "app.kubernetes.io/name=dcgm-exporter"],
        Port = 9400,
        UtilizationMetric = "DCGM_FI_DEV_GPU_UTIL",
        MemoryMetric = "DCGM_FI_DEV_FB_USED",
        DeviceLabels = new Dictionary<string, DeviceIdentityKind>
        {
            ["UUID"] = DeviceIdentityKind.Uuid, ["gpu"] = DeviceIdentityKind.Index, ["pci_bus_id"] = DeviceIdentityKind.PciBusId,
        },
        WorkloadLabels = ("pod", "namespace"),
        TemperatureMetrics = ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_MEMORY_TEMP"],
        PowerMetrics = ["DCGM_FI_DEV_POWER_USAGE"],
        InterconnectMetrics = ["DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "DCGM_FI_PROF_NVLINK_TX_BYTES", "DCGM_FI_PROF_PCIE_TX_BYTES"],
        // The CUDA n-body sample: a benchmark of a few million bodies keeps one GPU fully busy for about a minute.
        LoadImageKey = DefaultImages.CudaLoadKey,
        LoadCommand = ["nbody", "-gpu", "-benchmark", "-numbodies=4194304"],
    };

    // ROCm/device-metrics-exporter: pods of its Helm chart labelled app.kubernetes.io/name=metrics-exporter, port 5000
    // (docs/installation/kubernetes-helm.md, helm-charts/values.yaml); field and label names from
    // docs/configuration/metricslist.md and configmap.md: labels are lower case (gpu_id and serial_number always, gpu_uuid
    // when enabled), older releases wrote GPU_UUID (tools/metricutil/metrics_mini.txt). It has no PCI address label.
    public static readonly ExporterProfile AmdDeviceMetrics = new()
    {
        Name = "AmdDeviceMetricsExporter",
        PodSelectors = ["app.kubernetes.io/name=metrics-exporter", "app=amd-device-metrics-exporter"],
        Port = 5000,
        UtilizationMetric = "gpu_gfx_activity",
        MemoryMetric = "gpu_used_vram",
        DeviceLabels = new Dictionary<string, DeviceIdentityKind>
        {
            ["gpu_id"] = DeviceIdentityKind.Index, ["gpu_uuid"] = DeviceIdentityKind.Uuid, ["GPU_UUID"] = DeviceIdentityKind.Uuid,
        },
        WorkloadLabels = ("pod", "namespace"),
        TemperatureMetrics = ["gpu_edge_temperature", "gpu_junction_temperature", "gpu_memory_temperature"],
        PowerMetrics = ["gpu_power_usage", "gpu_package_power", "gpu_average_package_power"],
        InterconnectMetrics = ["gpu_xgmi_link_tx", "gpu_xgmi_link_rx"],
        // The AMD device plugin's own GPU example: TensorFlow's CNN benchmark training AlexNet keeps one GPU busy for a while.
        LoadImageKey = DefaultImages.RocmLoadKey,
        LoadCommand = ["python3", "/benchmarks/scripts/tf_cnn_benchmarks/tf_cnn_benchmarks.py", "--model=alexnet"],
    };

    // AWS's neuron-monitor with its Prometheus front end: pods of aws-neuron-sdk's src/k8/k8s-neuron-monitor-daemonset.yml
    // are labelled app=neuron-monitor and serve on 8000; names and labels from its neuron-monitor-prometheus.py and the
    // user guide's sample output. Utilization is neuroncore_utilization_ratio (0-1) per NeuronCore, labelled neuroncore
    // (it has no neuron_device_index label); device memory per core is neuroncore_memory_usage_* (neuron_runtime_memory_used_bytes
    // is per runtime and names no core or device). Both exist only for the cores a running Neuron runtime holds;
    // hardware_ecc_events_total names every device (neuron_device_index) whatever runs. It labels no pod or namespace.
    public static readonly ExporterProfile NeuronMonitor = new()
    {
        Name = "NeuronMonitor",
        PodSelectors = ["app=neuron-monitor", "app.kubernetes.io/name=neuron-monitor"],
        Port = 8000,
        UtilizationMetric = "neuroncore_utilization_ratio",
        MemoryMetric = "neuroncore_memory_usage_tensors",
        // A core's index: the device plugin publishes no device identity to compare it with, and neuron-monitor does not
        // support clusters running the Neuron DRA driver.
        DeviceLabels = new Dictionary<string, DeviceIdentityKind> { ["neuroncore"] = DeviceIdentityKind.Index },
        EveryDeviceSeries = ("hardware_ecc_events_total", "neuron_device_index"),
        LoadImageKey = DefaultImages.NeuronLoadKey,
    };

    public static IReadOnlyList<ExporterProfile> Known { get; } = [Dcgm, AmdDeviceMetrics, NeuronMonitor];
}
