namespace AiConformance.Workloads.Serving;

/// <summary>
/// Which pod this process runs in, from the downward-API variables a pod spec sets (POD_NAME, POD_NAMESPACE,
/// NODE_NAME); the host name stands in for the pod name when they are not set (a pod's host name is its name).
/// </summary>
public sealed record PodIdentity(string Pod, string? Namespace, string? Node)
{
    public static PodIdentity From(Func<string, string?> environment, string hostName)
    {
        static string? Value(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        return new PodIdentity(Value(environment("POD_NAME")) ?? hostName, Value(environment("POD_NAMESPACE")), Value(environment("NODE_NAME")));
    }
}
