using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Modules.Operators;

/// <summary>
/// The first checks of KServe's InferenceService validator (pkg/apis/serving/v1beta1/inference_service_validation.go),
/// which the CRD's schema cannot make: the name is a DNS-1035 label (KServe names Services after it), and the
/// <c>serving.kserve.io/autoscalerClass</c> annotation, when present, names a class KServe supports. The validator
/// returns a plain error, which controller-runtime denies with 403 Forbidden and the error's text.
/// </summary>
public static partial class KServeValidation
{
    public const string AutoscalerClassAnnotation = "serving.kserve.io/autoscalerClass";
    private const string NameFormat = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static readonly string[] AutoscalerClasses = ["hpa", "external", "keda", "none"];

    public static JsonObject? DenyInferenceService(JsonObject isvc, IOperatorFault fault)
    {
        if (!fault.Validates) return null;
        var name = isvc.Name();
        if (!NameRule().IsMatch(name))
            return Deny($"the InferenceService \"{name}\" is invalid: a InferenceService name must consist of lower case alphanumeric characters or '-', " +
                        $"and must start with alphabetical character. (e.g. \"my-name\" or \"abc-123\", regex used for validation is '{NameFormat}')");
        if ((string?)isvc["metadata"]?["annotations"]?[AutoscalerClassAnnotation] is { } autoscaler && !AutoscalerClasses.Contains(autoscaler, StringComparer.Ordinal))
            return Deny($"[{autoscaler}] is not a supported autoscaler class type");
        return null;
    }

    private static JsonObject Deny(string message) => new StatusException(403, "Forbidden", message).ToStatus();

    [GeneratedRegex("^" + NameFormat + "$")]
    private static partial Regex NameRule();
}
