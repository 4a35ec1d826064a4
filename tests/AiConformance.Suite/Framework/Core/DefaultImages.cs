using System.Reflection;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The images the fixtures run, by role, and the configuration keys that replace them (for mirrors and air-gapped
/// clusters). The plugin image plays every workload role, so by default this is the only image to mirror.
/// </summary>
public static class DefaultImages
{
    /// <summary>The plugin image's repository; the tag is <see cref="PluginVersion"/>.</summary>
    public const string PluginRepository = "ghcr.io/ai-conformance/aiconformance";

    /// <summary>This build's version (Directory.Build.props), which the plugin executable reports too.</summary>
    public static string PluginVersion { get; } =
        typeof(DefaultImages).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    public static string Plugin { get; } = PluginRepository + ":" + PluginVersion;

    /// <summary>Configuration key of the image that runs <c>aiconformance probe</c>.</summary>
    public const string ProbeKey = "images.probe";

    /// <summary>Configuration key of the image that keeps one NVIDIA GPU busy (the CUDA n-body sample) for accelerator_metrics.</summary>
    public const string CudaLoadKey = "images.cudaLoad";

    public const string CudaLoad = "nvcr.io/nvidia/k8s/cuda-sample:nbody-cuda11.7.1-ubuntu18.04";

    /// <summary>Configuration key of the image that keeps one AMD GPU busy (ROCm TensorFlow's CNN benchmark) for accelerator_metrics.</summary>
    public const string RocmLoadKey = "images.rocmLoad";

    /// <summary>The image of the AMD device plugin's own GPU example (ROCm/k8s-device-plugin example/pod/alexnet-gpu.yaml), which publishes no versioned tag.</summary>
    public const string RocmLoad = "docker.io/rocm/tensorflow:latest";

    /// <summary>
    /// Configuration key of an image that keeps one AWS Neuron device busy, for accelerator_metrics. AWS publishes no
    /// self-contained load image (its Deep Learning Containers need a compiled model), so it has no default.
    /// </summary>
    public const string NeuronLoadKey = "images.neuronLoad";

    /// <summary>Configuration key of the Ray image of the RayCluster robust_controller creates through KubeRay.</summary>
    public const string RayKey = "images.ray";

    public const string Ray = "rayproject/ray:2.46.0";
    /// <summary>
    /// Configuration key of the inference extension's conformance endpoint picker (lwepp), which picks the endpoint a
    /// request's <c>test-epp-endpoint-selection</c> header names, for advanced_inference_ingress.
    /// </summary>
    public const string ConformancePickerKey = "images.conformancePicker";

    public const string ConformancePicker = "us-central1-docker.pkg.dev/k8s-staging-images/gateway-api-inference-extension/lwepp:main";

    /// <summary>
    /// Configuration key of the inference extension's endpoint picker (EPP) with its default scheduling profile (queue,
    /// KV-cache and prefix-cache scorers over the model servers' vLLM metrics), for advanced_inference_ingress.
    /// </summary>
    public const string EndpointPickerKey = "images.endpointPicker";

    public const string EndpointPicker = "registry.k8s.io/gateway-api-inference-extension/epp:v1.6.0";

    /// <summary>Configuration key of a registry (host, optionally with a path) that replaces every default image's registry.</summary>
    public const string RegistryKey = "images.registry";

    /// <summary>Configuration key of the image pull secrets (comma-separated names) put on every pod the suite creates.</summary>
    public const string PullSecretsKey = "images.pullSecrets";

    /// <summary>Every role's key and default, for <c>aiconformance images</c>.</summary>
    public static IReadOnlyDictionary<string, string> All { get; } = new Dictionary<string, string>
    {
        [ProbeKey] = Plugin,
        [CudaLoadKey] = CudaLoad,
        [RocmLoadKey] = RocmLoad,
        [RayKey] = Ray,
        [ConformancePickerKey] = ConformancePicker,
        [EndpointPickerKey] = EndpointPicker,
    };

    /// <summary>The probe image: the user's <c>images.probe</c>, else the plugin image (moved to <c>images.registry</c>).</summary>
    public static string Probe(SuiteConfiguration configuration) => Resolve(ProbeKey, configuration);

    /// <summary>
    /// The image of a role key: the user's override taken as written, else the default moved to the
    /// <c>images.registry</c> mirror when one is set.
    /// </summary>
    public static string Resolve(string key, SuiteConfiguration configuration) =>
        configuration.Get(key) ?? WithRegistry(All.TryGetValue(key, out var image) ? image : throw new ArgumentException($"no default image for '{key}'", nameof(key)),
            configuration.Get(RegistryKey));

    /// <summary>The image of a role key that may have no default (<see cref="NeuronLoadKey"/>): null when it has none and none is configured.</summary>
    public static string? ResolveOptional(string key, SuiteConfiguration configuration) =>
        All.ContainsKey(key) ? Resolve(key, configuration) : configuration.Get(key);

    /// <summary>The plugin image itself (what Sonobuoy's --plugin-image names), moved to the mirror when one is set.</summary>
    public static string PluginImage(SuiteConfiguration configuration) => WithRegistry(Plugin, configuration.Get(RegistryKey));

    /// <summary>Names of the image pull secrets to put on the suite's pods; empty when none is configured.</summary>
    public static IReadOnlyList<string> PullSecrets(SuiteConfiguration configuration) => configuration.GetList(PullSecretsKey);

    /// <summary>
    /// <paramref name="image"/> with its registry replaced by <paramref name="registry"/>, the repository path kept:
    /// <c>ghcr.io/org/app:1</c> with <c>mirror.local/ai</c> becomes <c>mirror.local/ai/org/app:1</c>. Docker Hub
    /// short names are expanded first (<c>busybox</c> is <c>docker.io/library/busybox</c>).
    /// </summary>
    public static string WithRegistry(string image, string? registry)
    {
        if (string.IsNullOrWhiteSpace(registry))
        {
            return image;
        }
        var firstSlash = image.IndexOf('/');
        var first = firstSlash < 0 ? "" : image[..firstSlash];
        var hasRegistry = first.Contains('.') || first.Contains(':') || first == "localhost";
        var path = hasRegistry ? image[(firstSlash + 1)..] : firstSlash < 0 ? "library/" + image : image;
        return registry.Trim().TrimEnd('/') + "/" + path;
    }
}
