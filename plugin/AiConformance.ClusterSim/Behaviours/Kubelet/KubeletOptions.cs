using AiConformance.ClusterSim.Behaviours.Programs;

namespace AiConformance.ClusterSim.Behaviours.Kubelet;

/// <summary>
/// The options of the <c>kubelet</c> component: <c>pluginImage</c> (glob of the plugin's image, whose roles run as real
/// code; default <c>*ai-conformance*</c>), <c>runtime</c> (the container runtime of pods without a RuntimeClass, default
/// <c>runc</c>) and that runtime's own options (<c>exposeAllDevices</c>, <c>runc-faulty</c>'s <c>fault</c>, ...), which
/// the kubelet passes on to it.
/// </summary>
public sealed record KubeletOptions : IComponentOptions<KubeletOptions>
{
    public string PluginImage { get; init; } = ProgramCatalog.DefaultPluginImage;

    public IContainerRuntime Runtime { get; init; } = ContainerRuntimes.Default;

    public IReadOnlyDictionary<string, string> RuntimeOptions { get; init; } = new Dictionary<string, string>();

    public static KubeletOptions Read(ComponentOptionReader options)
    {
        var pluginImage = options.Text("pluginImage", ProgramCatalog.DefaultPluginImage);
        var runtime = options.OneOf("runtime", ContainerRuntimes.Default, ContainerRuntimes.ByName);
        var runtimeOptions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in runtime.Options)
            if (options.OneOf<string?>(option.Name, null, option.Values.ToDictionary(value => value, string? (value) => value)) is { } value)
                runtimeOptions[option.Name] = value;
        return new KubeletOptions { PluginImage = pluginImage, Runtime = runtime, RuntimeOptions = runtimeOptions };
    }
}
