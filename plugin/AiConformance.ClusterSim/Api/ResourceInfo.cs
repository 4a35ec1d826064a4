using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>Everything the server knows about one served resource of one group version.</summary>
public sealed record ResourceInfo(ResourceKind Kind)
{
    public required IReadOnlyList<string> Verbs { get; init; }

    /// <summary>Subresource name to its verbs and answered kind (<c>status</c>, <c>log</c>, <c>scale</c>...).</summary>
    public IReadOnlyDictionary<string, SubresourceInfo> Subresources { get; init; } = new Dictionary<string, SubresourceInfo>();

    public string Singular => Kind.Kind.ToLowerInvariant();
    public IReadOnlyList<string> ShortNames { get; init; } = [];
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>The schema objects are validated against: a swagger <c>$ref</c> for built-ins, the openAPIV3Schema for CRDs.</summary>
    public required JsonObject Schema { get; init; }

    public bool IsCustomResource { get; init; }

    /// <summary>additionalPrinterColumns of a CRD version (for Table answers).</summary>
    public JsonArray? PrinterColumns { get; init; }

    public bool HasStatus => Subresources.ContainsKey("status");
}

public sealed record SubresourceInfo(string Name, IReadOnlyList<string> Verbs, string Group, string Version, string Kind)
{
    /// <summary>A streaming subresource (exec, attach, portforward, proxy) that needs a connection upgrade.</summary>
    public bool IsConnect { get; init; }
}
