using System.Text.RegularExpressions;

namespace AiConformance.Workloads.Probe;

/// <summary>
/// Parses <c>nvidia-smi -L</c>: one <c>GPU n: product (UUID: GPU-…)</c> line per GPU, followed by
/// <c>MIG profile Device n: (UUID: MIG-…)</c> lines for its MIG devices when MIG is enabled.
/// </summary>
public static partial class NvidiaSmiListParser
{
    [GeneratedRegex(@"^GPU\s+(?<index>\d+):\s*(?<product>.*?)\s*\(UUID:\s*(?<uuid>[^)\s]+)\)")]
    private static partial Regex GpuLine();

    [GeneratedRegex(@"^MIG\s+(?<profile>\S+)\s+Device\s+(?<index>\d+):\s*\(UUID:\s*(?<uuid>[^)\s]+)\)")]
    private static partial Regex MigLine();

    public static IReadOnlyList<NvidiaGpu> Parse(string output)
    {
        var gpus = new List<NvidiaGpu>();
        var migs = new List<NvidiaMigDevice>();
        void Flush()
        {
            if (gpus.Count > 0 && migs.Count > 0) gpus[^1] = gpus[^1] with { MigDevices = [.. migs] };
            migs.Clear();
        }

        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.Trim();
            if (GpuLine().Match(line) is { Success: true } gpu)
            {
                Flush();
                gpus.Add(new NvidiaGpu
                {
                    Index = int.Parse(gpu.Groups["index"].Value),
                    Product = gpu.Groups["product"].Value,
                    Uuid = gpu.Groups["uuid"].Value,
                });
            }
            else if (MigLine().Match(line) is { Success: true } mig && gpus.Count > 0)
            {
                migs.Add(new NvidiaMigDevice
                {
                    Index = int.Parse(mig.Groups["index"].Value),
                    Profile = mig.Groups["profile"].Value,
                    Uuid = mig.Groups["uuid"].Value,
                });
            }
        }
        Flush();
        return gpus;
    }
}
