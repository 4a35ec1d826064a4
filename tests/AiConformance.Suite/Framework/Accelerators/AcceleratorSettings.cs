using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The user's accelerator settings, which take precedence over detection:
/// <c>accelerator.deviceClass</c>, <c>accelerator.extendedResource</c>,
/// <c>accelerator.nodeSelector</c> (<c>key=value,key=value</c>) and
/// <c>accelerator.tolerations</c> (<c>key[=value][:Effect],…</c>; without a value the operator is Exists).
/// </summary>
public sealed record AcceleratorSettings
{
    public const string DeviceClassKey = "accelerator.deviceClass";
    public const string ExtendedResourceKey = "accelerator.extendedResource";
    public const string NodeSelectorKey = "accelerator.nodeSelector";
    public const string TolerationsKey = "accelerator.tolerations";

    public string? DeviceClass { get; init; }
    public string? ExtendedResource { get; init; }
    public IReadOnlyDictionary<string, string> NodeSelector { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<V1Toleration> Tolerations { get; init; } = [];

    public static AcceleratorSettings From(SuiteConfiguration configuration)
    {
        var settings = new AcceleratorSettings
        {
            DeviceClass = configuration.Get(DeviceClassKey),
            ExtendedResource = configuration.Get(ExtendedResourceKey),
            NodeSelector = configuration.GetList(NodeSelectorKey).Select(ParseLabel).ToDictionary(),
            Tolerations = [.. configuration.GetList(TolerationsKey).Select(ParseToleration)],
        };
        if (settings.DeviceClass is not null && settings.ExtendedResource is not null)
            throw new ConfigurationException(
                $"both '{DeviceClassKey}' and '{ExtendedResourceKey}' are set; set one: the DeviceClass for DRA, the extended resource for a device plugin");
        return settings;
    }

    private static KeyValuePair<string, string> ParseLabel(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[0].Length == 0)
            throw new ConfigurationException($"'{NodeSelectorKey}' entry '{text}' is not key=value (example: nvidia.com/gpu.present=true)");
        return new(parts[0], parts[1]);
    }

    private static V1Toleration ParseToleration(string text)
    {
        var (keyValue, effect) = text.LastIndexOf(':') is var colon and > 0 ? (text[..colon], text[(colon + 1)..]) : (text, null);
        if (effect is not (null or "NoSchedule" or "PreferNoSchedule" or "NoExecute"))
            throw new ConfigurationException($"'{TolerationsKey}' entry '{text}' has effect '{effect}'; use NoSchedule, PreferNoSchedule or NoExecute");
        var parts = keyValue.Split('=', 2, StringSplitOptions.TrimEntries);
        if (parts[0].Length == 0)
            throw new ConfigurationException($"'{TolerationsKey}' entry '{text}' has no key (example: nvidia.com/gpu:NoSchedule)");
        return parts.Length == 2
            ? new V1Toleration { Key = parts[0], OperatorProperty = "Equal", Value = parts[1], Effect = effect }
            : new V1Toleration { Key = parts[0], OperatorProperty = "Exists", Effect = effect };
    }
}
