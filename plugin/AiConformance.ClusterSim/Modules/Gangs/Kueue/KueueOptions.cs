using AiConformance.ClusterSim.Behaviours;

namespace AiConformance.ClusterSim.Modules.Gangs.Kueue;

/// <summary>
/// The options of the <c>kueue</c> component: <c>fault</c> names a broken behaviour (<see cref="KueueFault"/>);
/// without it Kueue admits as the real one does. <c>deviceClassMappings</c> is Kueue's DRA support
/// (<c>resources.deviceClassMappings</c> of its Configuration, with the DynamicResourceAllocation feature gate):
/// <c>resource=class[,class][;resource=class...]</c>, each DeviceClass's devices counted as that quota resource.
/// </summary>
public sealed record KueueOptions(KueueFault Fault, IReadOnlyDictionary<string, string> ResourceOfDeviceClass) : IComponentOptions<KueueOptions>
{
    public const string DeviceClassMappingsKey = "deviceClassMappings";

    public static KueueOptions Read(ComponentOptionReader options) =>
        new(options.Fault(KueueFault.Catalog, KueueFault.None), ReadMappings(options));

    private static Dictionary<string, string> ReadMappings(ComponentOptionReader options)
    {
        var byClass = new Dictionary<string, string>(StringComparer.Ordinal);
        if (options.Text(DeviceClassMappingsKey) is not { } text) return byClass;
        foreach (var mapping in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = mapping.Split('=', StringSplitOptions.TrimEntries);
            var classes = parts.Length == 2 ? parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (parts.Length != 2 || parts[0].Length == 0 || classes.Length == 0)
                return options.Refuse(DeviceClassMappingsKey, text, "is not resource=deviceClass[,deviceClass][;...]", new Dictionary<string, string>());
            foreach (var deviceClass in classes) byClass[deviceClass] = parts[0];
        }
        return byClass;
    }
}
