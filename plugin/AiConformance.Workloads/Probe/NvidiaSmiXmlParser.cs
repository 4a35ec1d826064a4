using System.Xml;
using System.Xml.Linq;

namespace AiConformance.Workloads.Probe;

/// <summary>
/// Parses <c>nvidia-smi -q -x</c> (the <c>nvidia_smi_log</c> document, DTD v11 to v13): driver and CUDA versions and,
/// per GPU, product, UUID, PCI bus id, minor number, MIG mode and MIG instances.
/// </summary>
public static class NvidiaSmiXmlParser
{
    /// <exception cref="FormatException">The text is not an nvidia_smi_log document.</exception>
    public static NvidiaSmiReport Parse(string xml)
    {
        XDocument document;
        try
        {
            // The document names an external DTD that is never shipped with the output; do not try to load it.
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Ignore,
                XmlResolver = null,
            });
            document = XDocument.Load(reader);
        }
        catch (XmlException error)
        {
            throw new FormatException($"nvidia-smi -q -x output is not XML: {error.Message}", error);
        }

        var log = document.Root;
        if (log is null || log.Name.LocalName != "nvidia_smi_log")
            throw new FormatException($"nvidia-smi -q -x output has root <{log?.Name.LocalName}>, expected <nvidia_smi_log>");

        return new NvidiaSmiReport
        {
            DriverVersion = Text(log.Element("driver_version")),
            CudaVersion = Text(log.Element("cuda_version")),
            Gpus = [.. log.Elements("gpu").Select(ParseGpu)],
        };
    }

    private static NvidiaGpu ParseGpu(XElement gpu) => new()
    {
        Product = Text(gpu.Element("product_name")),
        Uuid = Text(gpu.Element("uuid")) ?? "",
        PciBusId = Text(gpu.Element("pci")?.Element("pci_bus_id")) ?? (string?)gpu.Attribute("id"),
        MinorNumber = Number(gpu.Element("minor_number")),
        MigMode = Text(gpu.Element("mig_mode")?.Element("current_mig")),
        MemoryTotal = Text(gpu.Element("fb_memory_usage")?.Element("total")),
        MigDevices = [.. (gpu.Element("mig_devices")?.Elements("mig_device") ?? []).Select(ParseMig)],
    };

    private static NvidiaMigDevice ParseMig(XElement mig, int position) => new()
    {
        Index = Number(mig.Element("index")) ?? position,
        GpuInstanceId = Number(mig.Element("gpu_instance_id")),
        ComputeInstanceId = Number(mig.Element("compute_instance_id")),
        MemoryTotal = Text(mig.Element("fb_memory_usage")?.Element("total")),
        Uuid = Text(mig.Element("uuid")),
    };

    /// <summary>Trimmed text; nvidia-smi writes "N/A" for what it does not know, which is kept (it is an answer).</summary>
    private static string? Text(XElement? element) =>
        element is null || string.IsNullOrWhiteSpace(element.Value) ? null : element.Value.Trim();

    private static int? Number(XElement? element) => int.TryParse(Text(element), out var value) ? value : null;
}
