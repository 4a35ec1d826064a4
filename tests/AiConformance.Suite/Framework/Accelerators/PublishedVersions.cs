using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>
/// The accelerator driver and runtime versions a node advertises: DRA device attributes (<c>driverVersion</c>,
/// <c>cudaDriverVersion</c>) or node labels from feature discovery (NVIDIA GPU Feature Discovery, AMD's labeller).
/// </summary>
public sealed record PublishedVersions(string? Driver, string? Cuda, string Source)
{
    private static readonly string[] DriverLabels = ["nvidia.com/cuda.driver-version.full", "amd.com/gpu.driver-version", "gpu.intel.com/driver-version"];
    private static readonly string[] CudaLabels = ["nvidia.com/cuda.runtime-version.full"];

    public bool Any => Driver is not null || Cuda is not null;

    public string Describe() => $"driver {Driver ?? "-"}, CUDA {Cuda ?? "-"} ({Source})";

    public static PublishedVersions Of(V1Node node, IReadOnlyList<PublishedDevice> devicesOnNode)
    {
        var driverAttributes = devicesOnNode.Select(device => device.Text("driverVersion")).OfType<string>().Distinct().ToList();
        var cudaAttributes = devicesOnNode.Select(device => device.Text("cudaDriverVersion")).OfType<string>().Distinct().ToList();
        if (driverAttributes.Count > 0 || cudaAttributes.Count > 0)
        {
            // Devices of one node share one driver; several values are themselves a finding, kept visible.
            return new PublishedVersions(
                driverAttributes.Count == 0 ? null : string.Join(" | ", driverAttributes),
                cudaAttributes.Count == 0 ? null : string.Join(" | ", cudaAttributes),
                "DRA device attributes");
        }

        var labels = new Dictionary<string, string>(node.Metadata.Labels ?? new Dictionary<string, string>());
        var driver = DriverLabels.Select(label => labels.GetValueOrDefault(label)).FirstOrDefault(value => value is not null)
                     ?? Joined(labels, "nvidia.com/cuda.driver.major", "nvidia.com/cuda.driver.minor", "nvidia.com/cuda.driver.rev");
        var cuda = CudaLabels.Select(label => labels.GetValueOrDefault(label)).FirstOrDefault(value => value is not null)
                   ?? Joined(labels, "nvidia.com/cuda.runtime.major", "nvidia.com/cuda.runtime.minor");
        return new PublishedVersions(driver, cuda, "node labels");
    }

    /// <summary>
    /// Versions compare by their numbers: <c>580.95.05</c> (nvidia-smi) equals <c>580.95.5</c> (semver in DRA), and
    /// <c>13.0</c> equals <c>13.0.0</c>.
    /// </summary>
    public static bool SameVersion(string? a, string? b)
    {
        if (a is null || b is null) return false;
        var left = Numbers(a);
        var right = Numbers(b);
        return left is not null && right is not null && left.SequenceEqual(right);
    }

    private static List<long>? Numbers(string version)
    {
        var numbers = new List<long>();
        var release = version.Trim().TrimStart('v').Split('-', '+')[0];
        foreach (var part in release.Split('.'))
        {
            if (!long.TryParse(part, out var number)) return null;
            numbers.Add(number);
        }
        while (numbers.Count > 1 && numbers[^1] == 0) numbers.RemoveAt(numbers.Count - 1);
        return numbers;
    }

    private static string? Joined(Dictionary<string, string> labels, params string[] keys) =>
        keys.All(labels.ContainsKey) ? string.Join(".", keys.Select(key => labels[key])) : null;
}
