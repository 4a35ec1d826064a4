using k8s.Models;

namespace AiConformance.Plugin.Tests.Toolkit;

/// <summary>Nodes, DeviceClasses and ResourceSlices shaped like the NVIDIA DRA driver's, for detection tests.</summary>
internal static class ClusterObjects
{
    public static V1Node Node(string name, bool ready = true, IDictionary<string, string>? allocatable = null,
        IDictionary<string, string>? labels = null, params V1Taint[] taints) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>() },
        Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : [.. taints] },
        Status = new V1NodeStatus
        {
            Conditions = [new V1NodeCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            Allocatable = (allocatable ?? new Dictionary<string, string>()).ToDictionary(entry => entry.Key, entry => new ResourceQuantity(entry.Value)),
        },
    };

    public static V1DeviceClass Class(string name, string expression, string? extendedResource = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1DeviceClassSpec
        {
            Selectors = [new V1DeviceSelector { Cel = new V1CELDeviceSelector { Expression = expression } }],
            ExtendedResourceName = extendedResource,
        },
    };

    public static V1DeviceClass NvidiaGpuClass(string? extendedResource = null) =>
        Class("gpu.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'", extendedResource);

    public static V1DeviceClass NvidiaMigClass() =>
        Class("mig.nvidia.com", "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'");

    public static V1Device Device(string name, string type = "gpu", string? uuid = null, bool tainted = false) => new()
    {
        Name = name,
        Attributes = new Dictionary<string, V1DeviceAttribute>
        {
            ["type"] = new() { StringValue = type },
            ["uuid"] = new() { StringValue = uuid ?? $"GPU-{name}" },
            ["driverVersion"] = new() { Version = "580.95.5" },
        },
        Capacity = new Dictionary<string, V1DeviceCapacity> { ["memory"] = new() { Value = new ResourceQuantity("80Gi") } },
        Taints = tainted ? [new V1DeviceTaint { Key = "example.com/unhealthy", Effect = "NoSchedule" }] : null,
    };

    public static V1ResourceSlice Slice(string node, long generation, long sliceCount, params V1Device[] devices) => new()
    {
        Metadata = new V1ObjectMeta { Name = $"{node}-gpu.nvidia.com-{generation}-{devices.FirstOrDefault()?.Name}" },
        Spec = new V1ResourceSliceSpec
        {
            Driver = "gpu.nvidia.com",
            NodeName = node,
            Pool = new V1ResourcePool { Name = node, Generation = generation, ResourceSliceCount = sliceCount },
            Devices = [.. devices],
        },
    };
}
