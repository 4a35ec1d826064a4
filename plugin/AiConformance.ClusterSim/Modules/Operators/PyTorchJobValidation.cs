using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The checks of the training-operator's PyTorchJob validator that the CRD schema cannot make
/// (pkg/webhooks/pytorch/pytorchjob_webhook.go and the replica checks shared by its validators, pkg/webhooks/utils):
/// replica specs are required, only <c>Master</c> and <c>Worker</c>; each has containers with images, one of them
/// named <c>pytorch</c>; exactly one Master, at least one Worker. Denied as <see cref="OperatorWebhookProgram.Denial"/> words it.
/// </summary>
public static class PyTorchJobValidation
{
    public const string Master = "Master";
    public const string Worker = "Worker";
    public const string Container = "pytorch";
    private const string SpecsPath = "spec.pytorchReplicaSpecs";

    public static JsonObject? Deny(JsonObject job, IOperatorFault fault)
    {
        var problems = new List<FieldError>();
        if (job["spec"]?["pytorchReplicaSpecs"] is not JsonObject specs)
        {
            problems.Add(Required(SpecsPath, "must be required"));
            specs = [];
        }
        foreach (var (type, node) in specs)
        {
            var rolePath = $"{SpecsPath}[{type}]";
            if (type is not (Master or Worker)) problems.Add(new FieldError("FieldValueNotSupported", rolePath, $"Unsupported value: \"{type}\": supported values: \"{Master}\", \"{Worker}\""));
            problems.AddRange(ContainerProblems(node?["template"]?["spec"]?["containers"] as JsonArray ?? [], $"{rolePath}.template.spec.containers"));
            var replicas = node?["replicas"].AsLong();
            if (type == Master && replicas != 1 && fault.ChecksReplicaCounts) problems.Add(FieldError.Forbidden($"{rolePath}.replicas", "must be 1"));
            else if (type != Master && replicas < 1) problems.Add(FieldError.Forbidden($"{rolePath}.replicas", "must be at least 1"));
        }
        return problems.Count == 0 ? null : OperatorWebhookProgram.Denial([.. problems.Select(p => $"{p.Field}: {p.Message}")]);
    }

    private static IEnumerable<FieldError> ContainerProblems(JsonArray containers, string path)
    {
        if (containers.Count == 0) yield return Required(path, "must be specified");
        for (var index = 0; index < containers.Count; index++)
            if (string.IsNullOrEmpty((containers[index] as JsonObject)?.Str("image")))
                yield return Required($"{path}[{index}].image", "must be required");
        if (containers.OfType<JsonObject>().All(container => container.Str("name") != Container))
            yield return Required(path, $"must have at least one container with name {Container}");
    }

    /// <summary>Go's <c>field.Required</c> with a detail.</summary>
    private static FieldError Required(string field, string detail) => FieldError.Required(field) with { Message = $"Required value: {detail}" };
}
