using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Modules.Dra;
using NUnit.Framework;

namespace AiConformance.Verification.Simulation;

public sealed class DeviceAllocatorTests
{
    private static readonly IReadOnlyList<PublishedDevice> Devices = DeviceAllocator.DevicesOf(
    [
        Slice("node-a", "gpu.nvidia.com", ("gpu-0", "gpu"), ("gpu-1", "gpu"), ("mig-0", "mig")),
        Slice("node-b", "gpu.nvidia.com", ("gpu-0", "gpu")),
    ]);

    private static readonly Dictionary<string, JsonObject> Classes = new()
    {
        ["gpu.nvidia.com"] = Class("device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'"),
        ["mig.nvidia.com"] = Class("device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'mig'"),
    };

    [Test]
    public void ExactCountTakesThatManyMatchingDevicesOfTheNode()
    {
        var outcome = new DeviceAllocator().Allocate(Claim("""{"name":"gpus","exactly":{"deviceClassName":"gpu.nvidia.com","count":2}}"""), "node-a", Devices, new HashSet<(string, string, string)>(), Classes);
        Assert.That(outcome.Results.Select(r => (r.Request, r.Pool, r.Device)), Is.EqualTo(new[] { ("gpus", "node-a", "gpu-0"), ("gpus", "node-a", "gpu-1") }));
    }

    [Test]
    public void DevicesInUseAreNotAllocatedAgain()
    {
        var inUse = new HashSet<(string, string, string)> { ("gpu.nvidia.com", "node-a", "gpu-0"), ("gpu.nvidia.com", "node-a", "gpu-1") };
        var outcome = new DeviceAllocator().Allocate(Claim("""{"name":"gpu","exactly":{"deviceClassName":"gpu.nvidia.com"}}"""), "node-a", Devices, inUse, Classes);
        Assert.That(outcome.Succeeded, Is.False);
        Assert.That(outcome.Failure, Does.Contain("0 available"));
    }

    [Test]
    public void AllocationModeAllTakesEveryMatchingDevice()
    {
        var outcome = new DeviceAllocator().Allocate(Claim("""{"name":"all","exactly":{"deviceClassName":"gpu.nvidia.com","allocationMode":"All"}}"""), "node-a", Devices, new HashSet<(string, string, string)>(), Classes);
        Assert.That(outcome.Results.Select(r => r.Device), Is.EqualTo(new[] { "gpu-0", "gpu-1" }), "the MIG device does not match the class");
    }

    [Test]
    public void FirstAvailableFallsBackToTheNextSubrequest()
    {
        var outcome = new DeviceAllocator().Allocate(Claim("""
            {"name":"acc","firstAvailable":[
              {"name":"two-gpus","deviceClassName":"gpu.nvidia.com","count":2},
              {"name":"one-gpu","deviceClassName":"gpu.nvidia.com","count":1}]}
            """), "node-b", Devices, new HashSet<(string, string, string)>(), Classes);
        Assert.That(outcome.Results.Single().Request, Is.EqualTo("acc/one-gpu"));
    }

    [Test]
    public void AnUnknownDeviceClassIsSaid()
    {
        var outcome = new DeviceAllocator().Allocate(Claim("""{"name":"x","exactly":{"deviceClassName":"tpu.example.com"}}"""), "node-a", Devices, new HashSet<(string, string, string)>(), Classes);
        Assert.That(outcome.Failure, Does.Contain("device class tpu.example.com does not exist"));
    }

    private static JsonObject Claim(string request) =>
        new() { ["spec"] = new JsonObject { ["devices"] = new JsonObject { ["requests"] = new JsonArray(JsonNode.Parse(request)) } } };

    private static JsonObject Class(string expression) =>
        new() { ["spec"] = new JsonObject { ["selectors"] = new JsonArray(new JsonObject { ["cel"] = new JsonObject { ["expression"] = expression } }) } };

    private static JsonObject Slice(string node, string driver, params (string Name, string Type)[] devices)
    {
        var list = new JsonArray();
        foreach (var (name, type) in devices)
            list.Add(new JsonObject { ["name"] = name, ["attributes"] = new JsonObject { ["type"] = new JsonObject { ["string"] = type } } });
        return new JsonObject
        {
            ["spec"] = new JsonObject { ["driver"] = driver, ["nodeName"] = node, ["pool"] = new JsonObject { ["name"] = node }, ["devices"] = list },
        };
    }
}
