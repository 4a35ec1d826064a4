using AiConformance.Suite.Framework;
using AiConformance.Suite.Framework.Operators;
using AiConformance.Verification.Simulation;
using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Toolkit;

/// <summary>
/// Finding an installed operator: its CRD served and its controller present, as a pod or as a Deployment whose pod is
/// not there yet (a restart or rollout at the moment the run starts). No replicaset controller runs here, so a
/// Deployment never gets its pod.
/// </summary>
public sealed class OperatorDetectionTests : SimulatedClusterFixture
{
    private const string Selector = "app.kubernetes.io/name=kuberay-operator";

    protected override string ScenarioYaml => """
        name: operator-detection
        kubernetesVersion: v1.35
        nodes:
          - name: worker
        crds: [kuberay-v1.7.0]
        components:
          nodes: {}
          namespace-defaults: {}
        """;

    [Test]
    public async Task AnOperatorIsFoundByItsDeploymentWhileItsPodIsGone()
    {
        var ns = await NewNamespaceAsync();
        Assert.That(await KubeRayAsync(), Is.Null, "the CRD alone, with no controller, is no operator");

        await Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment(), ns, cancellationToken: Timeout);
        var found = await KubeRayAsync();

        Assert.That(found, Is.Not.Null, "KubeRay with its CRD served and its controller's Deployment present");
        var controller = found!.Controllers.Single();
        Assert.Multiple(() =>
        {
            Assert.That(controller.Namespace, Is.EqualTo(ns));
            Assert.That(controller.Selector, Is.EqualTo(Selector));
            Assert.That(controller.Deployments, Is.EqualTo(new[] { "kuberay-operator" }));
            Assert.That(controller.Pods, Is.Empty);
            Assert.That(found.Summary, Does.Contain($"`{Selector}` in {ns} (Deployment kuberay-operator; no pod yet)"));
        });
        await Client.AppsV1.DeleteNamespacedDeploymentAsync("kuberay-operator", ns, cancellationToken: Timeout);
    }

    private async Task<AiOperator?> KubeRayAsync()
    {
        var detection = await OperatorDetection.DetectAsync(NewRunContext());
        return detection.Found.SingleOrDefault(found => found.Profile == OperatorProfile.KubeRay);
    }

    private static V1Deployment Deployment()
    {
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "kuberay-operator" };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "kuberay-operator", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "operator", Image = "quay.io/kuberay/operator:v1.4.2" }] },
                },
            },
        };
    }
}
