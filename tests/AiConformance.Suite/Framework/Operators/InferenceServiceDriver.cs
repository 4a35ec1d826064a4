using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace AiConformance.Suite.Framework.Operators;

/// <summary>A KServe InferenceService (<c>serving.kserve.io/v1beta1</c>).</summary>
[KubernetesEntity(Group = "serving.kserve.io", ApiVersion = "v1beta1", Kind = "InferenceService", PluralName = "inferenceservices")]
public sealed class InferenceService : CustomObject;

/// <summary>
/// Drives KServe through an InferenceService in raw deployment mode (no Knative needed): its predictor is one custom
/// container <c>kserve-container</c>, the plugin image's echo server (no ServingRuntime, no model storage), with
/// <c>minReplicas: 1</c> and the <c>external</c> autoscaler class, so KServe makes no HPA and the Deployment keeps one
/// replica. KServe builds it into the Deployment and Service <c>&lt;name&gt;-predictor</c>, controlled by it and
/// labelled, with their pods, <c>serving.kserve.io/inferenceservice</c>; the pods are the Deployment's ReplicaSet's. The
/// invalid instance names an autoscaler class KServe does not support, which only its validating webhook checks
/// ("[...] is not a supported autoscaler class type", the same in every release). Ready is KServe's
/// <c>PredictorReady</c> condition (the Deployment Available): its overall <c>Ready</c> also needs <c>IngressReady</c>,
/// which depends on how the cluster exposes services (an ingress or gateway configuration of its own), not on the
/// workload the operator reconciled, so it is recorded, not required.
/// </summary>
public sealed class InferenceServiceDriver : IOperatorDriver
{
    private const string NameLabel = "serving.kserve.io/inferenceservice";
    private const string AutoscalerClass = "serving.kserve.io/autoscalerClass";

    public string Kind => "InferenceService";

    public int ExpectedPods => 1;

    public string WhatIsInvalid => $"the annotation `{AutoscalerClass}: not-an-autoscaler`, a class KServe does not support (its validator checks the annotation; the CRD's schema does not)";

    public string CreatedFor(string name) => $"{NameLabel}={name}";

    public async Task<string> CreateValidAsync(TestNamespace ns, string name) => (await ns.CreateAsync(NewInferenceService(ns, name, "external"))).Metadata.Uid;

    public Task CreateInvalidAsync(TestNamespace ns, string name) => ns.CreateAsync(NewInferenceService(ns, name, "not-an-autoscaler"));

    public Task<string> WaitReadyAsync(TestNamespace ns, string name, IReadOnlyList<V1Pod> owned) =>
        OperatorStatus.WaitReadyAsync<InferenceService>(ns, name, "to report PredictorReady True", IsReady, Describe);

    public async Task<bool> ExistsAsync(TestNamespace ns, string name) => await ns.Objects<InferenceService>().GetAsync(name, ns.Cancellation) is not null;

    public Task DeleteAsync(TestNamespace ns, string name) => ns.DeleteAsync<InferenceService>(name);

    /// <summary>The pods' ReplicaSet and its Deployment, between the pods and the InferenceService.</summary>
    public async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> IntermediatesAsync(TestNamespace ns)
    {
        var (replicaSets, _) = await ns.Objects<V1ReplicaSet>().ListAsync(null, null, ns.Cancellation);
        var (deployments, _) = await ns.Objects<V1Deployment>().ListAsync(null, null, ns.Cancellation);
        return [.. replicaSets, .. deployments];
    }

    private static InferenceService NewInferenceService(TestNamespace ns, string name, string autoscalerClass)
    {
        // The predictor is a pod spec with KServe's own fields beside it.
        var podSpec = OperatorPods.EchoServer(ns, "kserve-container");
        podSpec["minReplicas"] = 1;
        podSpec["maxReplicas"] = 1;
        return new InferenceService
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Annotations = new Dictionary<string, string> { ["serving.kserve.io/deploymentMode"] = "RawDeployment", [AutoscalerClass] = autoscalerClass },
            },
            Spec = new JsonObject { ["predictor"] = podSpec },
        };
    }

    private static bool IsReady(InferenceService isvc) => isvc.Condition("PredictorReady") == "True";

    private static string Describe(InferenceService isvc) =>
        isvc.Status is null
            ? $"InferenceService `{isvc.Metadata.Name}` has no status"
            : $"{isvc.DescribeCondition("PredictorReady")}; {isvc.DescribeCondition("IngressReady")}; {isvc.DescribeCondition("Ready")}; url {isvc.Status["url"] ?? "(none)"}";
}
