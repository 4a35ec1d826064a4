using k8s;
using k8s.Models;
using NUnit.Framework;

namespace AiConformance.Verification.Fidelity;

/// <summary>The plugin's ServiceAccount gets exactly what sonobuoy/ai-conformance-rbac.yaml grants.</summary>
public sealed class AuthorizationTests : FidelityFixture
{
    [Test]
    public async Task AVerbTheClusterRoleDoesNotListIsForbidden()
    {
        var ns = await NewNamespaceAsync();
        var pod = await Plugin.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Timeout);
        var (code, status) = await FailureOf(() => Plugin.CoreV1.ReplaceNamespacedPodAsync(pod, "p", ns, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(403));
        Assert.That(status!.Reason, Is.EqualTo("Forbidden"));
        Assert.That(status.Message, Is.EqualTo(
            $"pods \"p\" is forbidden: User \"system:serviceaccount:sonobuoy:ai-conformance\" cannot update resource \"pods\" in API group \"\" in the namespace \"{ns}\""));
    }

    [Test]
    public async Task ClusterScopedDenialSaysAtTheClusterScope()
    {
        var (code, status) = await FailureOf(() => Plugin.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "n" } }, cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(403));
        Assert.That(status!.Message, Is.EqualTo(
            "nodes is forbidden: User \"system:serviceaccount:sonobuoy:ai-conformance\" cannot create resource \"nodes\" in API group \"\" at the cluster scope"));
    }

    [Test]
    public async Task SecretsAreNeverReadable()
    {
        var (code, _) = await FailureOf(() => Plugin.CoreV1.ListNamespacedSecretAsync("default", cancellationToken: Timeout));
        Assert.That(code, Is.EqualTo(403));
    }

    [Test]
    public async Task RoleBindingsCreatedThroughTheApiAreHonoured()
    {
        var ns = await NewNamespaceAsync();
        var (before, _) = await FailureOf(() => Plugin.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: Timeout));
        Assert.That(before, Is.EqualTo(403));
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleAsync(new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "sa-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["serviceaccounts"], Verbs = ["list"] }],
        }, ns, cancellationToken: Timeout);
        await Admin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(new V1RoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "sa-reader" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "sa-reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "ai-conformance", NamespaceProperty = "sonobuoy" }],
        }, ns, cancellationToken: Timeout);
        Assert.That((await Plugin.CoreV1.ListNamespacedServiceAccountAsync(ns, cancellationToken: Timeout)).Items, Is.Not.Null);
    }

    [Test]
    public async Task ThePluginMayBindThePickerRoleItDoesNotHoldBecauseItMayBindIt()
    {
        var ns = await NewNamespaceAsync();
        await Plugin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "picker" } }, ns, cancellationToken: Timeout);

        var binding = await Plugin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("picker", "ai-conformance-picker", ns), ns, cancellationToken: Timeout);

        Assert.That(binding.RoleRef.Name, Is.EqualTo("ai-conformance-picker"));
    }

    [Test]
    public async Task BindingARoleThatGrantsMoreThanThePluginHoldsIsForbiddenWithTheMissingRules()
    {
        var ns = await NewNamespaceAsync();
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{ns}-secret-reader" },
            Rules =
            [
                new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["get", "list"] },
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get"] },
            ],
        }, cancellationToken: Timeout);

        var (code, status) = await FailureOf(() => Plugin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("reader", $"{ns}-secret-reader", ns), ns, cancellationToken: Timeout));

        Assert.That(code, Is.EqualTo(403));
        Assert.That(status!.Message, Is.EqualTo(
            "rolebindings.rbac.authorization.k8s.io \"reader\" is forbidden: user \"system:serviceaccount:sonobuoy:ai-conformance\" " +
            "(groups=[\"system:serviceaccounts\" \"system:serviceaccounts:sonobuoy\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n" +
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}"));
    }

    [Test]
    public async Task BindingARoleWhoseRulesThePluginHoldsIsAllowedWithoutBind()
    {
        var ns = await NewNamespaceAsync();
        await Admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = $"{ns}-pod-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["pods"], Verbs = ["get", "list"] }],
        }, cancellationToken: Timeout);

        var binding = await Plugin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("reader", $"{ns}-pod-reader", ns), ns, cancellationToken: Timeout);

        Assert.That(binding.RoleRef.Name, Is.EqualTo($"{ns}-pod-reader"));
    }

    [Test]
    public async Task BindingAClusterRoleThatDoesNotExistIsForbidden()
    {
        var ns = await NewNamespaceAsync();

        var (code, status) = await FailureOf(() => Plugin.RbacAuthorizationV1.CreateNamespacedRoleBindingAsync(Binding("ghost", "no-such-role", ns), ns, cancellationToken: Timeout));

        Assert.That(code, Is.EqualTo(403));
        Assert.That(status!.Message, Does.EndWith("clusterrole.rbac.authorization.k8s.io \"no-such-role\" not found"));
    }

    private static V1RoleBinding Binding(string name, string clusterRole, string ns) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = clusterRole },
        Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "picker", NamespaceProperty = ns }],
    };

    [Test]
    public void TheShippedClusterRoleHasNoWildcardsAndNoSecrets()
    {
        using var stream = typeof(AiConformance.ClusterSim.Server.SimulatedApiServer).Assembly.GetManifestResourceStream("rbac/ai-conformance-rbac.yaml")!;
        var manifest = new StreamReader(stream).ReadToEnd();
        var rules = AiConformance.ClusterSim.Api.YamlJson.ParseAll(manifest)
            .Where(d => d?["kind"]?.GetValue<string>() is "ClusterRole" or "Role")
            .SelectMany(d => d!["rules"]!.AsArray())
            .ToList();
        var words = rules.SelectMany(r => new[] { "apiGroups", "resources", "verbs" }.SelectMany(k => r![k]!.AsArray().Select(v => v!.GetValue<string>()))).ToList();
        Assert.That(rules, Is.Not.Empty);
        Assert.That(words, Has.None.Contains("*"));
        Assert.That(words, Has.None.EqualTo("secrets"));
    }

    [Test]
    public async Task StreamingSubresourcesNeedAnUpgrade()
    {
        var ns = await NewNamespaceAsync();
        await Admin.CoreV1.CreateNamespacedPodAsync(Pod("p"), ns, cancellationToken: Timeout);
        using var http = Server.CreateHttpClient(AiConformance.ClusterSim.Server.KubeconfigIdentity.Admin);
        using var response = await http.PostAsync($"/api/v1/namespaces/{ns}/pods/p/exec?command=ls", null, Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(await response.Content.ReadAsStringAsync(Timeout), Does.Contain("Upgrade request required"));
    }

    [Test]
    public async Task AnUnknownTokenIsUnauthorized()
    {
        using var http = Server.CreateHttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");
        using var response = await http.GetAsync("/api/v1/namespaces", Timeout);
        Assert.That((int)response.StatusCode, Is.EqualTo(401));
    }
}
