using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Api;

/// <summary>
/// The ServiceAccount admission plugin's token mount: a new pod gets the projected <c>kube-api-access-*</c> volume
/// (token, cluster CA, namespace) mounted into every container, unless it or its ServiceAccount opts out.
/// The lookup of a missing ServiceAccount is not refused here (the real server answers 403 until the account exists).
/// </summary>
public static class ServiceAccountAdmission
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    private static readonly ResourceKind ServiceAccounts = new("", "v1", "ServiceAccount", "serviceaccounts", true);
    private const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static void Admit(IClusterStore store, JsonObject pod)
    {
        if (pod["spec"] is not JsonObject spec) return;
        var account = store.Get(ServiceAccounts, pod.Namespace(), spec.Str("serviceAccountName") ?? "default");
        var automount = spec["automountServiceAccountToken"] ?? account?["automountServiceAccountToken"];
        if (automount?.GetValueKind() == System.Text.Json.JsonValueKind.False) return;
        var containers = new[] { "initContainers", "containers" }
            .SelectMany(list => (spec[list] as JsonArray ?? []).OfType<JsonObject>()).ToList();
        if (containers.Any(c => (c["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>().Any(m => m.Str("mountPath") == MountPath))) return;
        var name = "kube-api-access-" + new string(Enumerable.Range(0, 5).Select(_ => Alphabet[Random.Shared.Next(Alphabet.Length)]).ToArray());
        var volumes = spec["volumes"] as JsonArray ?? [];
        volumes.Add(new JsonObject
        {
            ["name"] = name,
            ["projected"] = new JsonObject
            {
                ["defaultMode"] = 420,
                ["sources"] = new JsonArray(
                    new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = 3607, ["path"] = "token" } },
                    new JsonObject
                    {
                        ["configMap"] = new JsonObject
                        {
                            ["name"] = "kube-root-ca.crt",
                            ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                        },
                    },
                    new JsonObject
                    {
                        ["downwardAPI"] = new JsonObject
                        {
                            ["items"] = new JsonArray(new JsonObject
                            {
                                ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                                ["path"] = "namespace",
                            }),
                        },
                    }),
            },
        });
        spec["volumes"] = volumes;
        foreach (var container in containers)
        {
            var mounts = container["volumeMounts"] as JsonArray ?? [];
            mounts.Add(new JsonObject { ["name"] = name, ["readOnly"] = true, ["mountPath"] = MountPath });
            container["volumeMounts"] = mounts;
        }
    }
}
