using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AiConformance.Verification.Simulation;

/// <summary>
/// A cluster of one worker node running one operator component with its CRDs, and what the operator components'
/// tests share: waiting for the operator's controller pod to be Ready, and reading a refusal's Status and an object's controller.
/// </summary>
public abstract class OperatorComponentFixture(string component, string crds, string ns, string podSelector) : SimulatedClusterFixture
{
    protected override string ScenarioYaml => $$"""
        name: {{component}}-tests
        kubernetesVersion: v1.35
        nodes:
          - name: worker
            capacity: {cpu: "16", memory: 64Gi}
        crds: [{{crds}}]
        components:
          nodes: {}
          namespace-defaults: {}
          scheduler: {}
          kubelet: {}
          job-controller: {}
          replicaset-controller: {}
          deployment-controller: {}
          endpointslice-controller: {}
          {{component}}: {}
        """;

    protected async Task OperatorReadyAsync() =>
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: podSelector, cancellationToken: Timeout)).Items,
            pods => pods.Any(p => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true), "the operator pod Ready");

    /// <summary>The kind and uid of an object's controller (its owner reference with controller: true).</summary>
    protected static (string? Kind, string? Uid) Controller(IKubernetesObject<V1ObjectMeta> item) =>
        item.Metadata.OwnerReferences?.SingleOrDefault(r => r.Controller == true) is { } owner ? (owner.Kind, owner.Uid) : (null, null);

    protected static V1Status Status(HttpOperationException error) => KubernetesJson.Deserialize<V1Status>(error.Response.Content);
}
