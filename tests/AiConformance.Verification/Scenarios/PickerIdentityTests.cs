using System.Text.Json.Nodes;
using AiConformance.Plugin.Results;
using AiConformance.ClusterSim.Hosting;
using AiConformance.ClusterSim.Scenarios;
using NUnit.Framework;

namespace AiConformance.Verification.Scenarios;

/// <summary>
/// The endpoint pickers of advanced_inference_ingress read their pool as a ServiceAccount the test binds to the
/// plugin's picker role. On a cluster whose RBAC lets the plugin bind no such role (an older manifest applied), the
/// binding is refused, the pickers run as the namespace's default account, cannot read their pool and never become
/// Ready: the requirement needs attestation, saying why, and is not failed.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PickerIdentityTests
{
    [Test]
    public async Task WithoutTheRightToBindThePickerRoleAdvancedInferenceIngressNeedsAttestation()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        var run = await ScenarioRun.ExecuteAsync(ScenarioLoader.DefaultName, limit.Token, "v1.37", ["advanced_inference_ingress"],
            // The pickers' wait is the only one that ends the tests here; it need not last the five minutes of a real cluster.
            new Dictionary<string, string> { ["AICONFORMANCE_TIMEOUTS_SCALE"] = "0.05" },
            host =>
            {
                var clusterRoles = host.Server.ResourceCatalog.ByApiVersionKind("rbac.authorization.k8s.io/v1", "ClusterRole")!;
                var role = host.Server.Store.Get(clusterRoles, null, "ai-conformance")!;
                var rules = (JsonArray)role["rules"]!;
                foreach (var bind in rules.Where(rule => rule!["verbs"]!.AsArray().Any(verb => verb!.ToString() == "bind")).ToList()) rules.Remove(bind);
                host.Server.Store.Update(clusterRoles, role);
            });

        // UnresolvedPickerOrPoolIsReportedInConditions deploys no picker, so it still decides.
        var tests = run.Result.Tests.Where(t => t.RequirementId == "advanced_inference_ingress" && !t.Name.EndsWith("UnresolvedPickerOrPoolIsReportedInConditions", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(run.StatusOf("advanced_inference_ingress"), Is.EqualTo(RequirementStatus.NeedsAttestation), run.Outcomes("advanced_inference_ingress") + "\n" + run.Diagnostics());
            Assert.That(tests, Is.Not.Empty);
            Assert.That(tests.Select(t => t.Message), Has.All.Contain("endpoint picker never became Ready").And.All.Contain("refused to let the plugin bind ClusterRole ai-conformance-picker"), run.Outcomes("advanced_inference_ingress"));
            Assert.That(run.SimulationWarnings, Is.Empty);
        });
    }
}
