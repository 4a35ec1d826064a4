using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Api;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Validation;

/// <summary>Validates objects against their schema; placeholder until the structural walk lands.</summary>
public sealed class SchemaValidator(SchemaResolver schemas)
{
    private readonly ConcurrentQueue<FidelityViolation> _violations = new();

    public IReadOnlyList<FidelityViolation> Violations => _violations.ToArray();

    public SchemaResolver Schemas => schemas;

    public void Validate(ResourceInfo info, JsonObject obj, List<FieldError> errors)
    {
        _ = info; _ = obj; _ = errors;
    }
}
