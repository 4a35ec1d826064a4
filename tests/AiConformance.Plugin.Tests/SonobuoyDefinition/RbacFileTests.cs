using AiConformance.Plugin.Tests.Support;
using NUnit.Framework;
using YamlDotNet.RepresentationModel;

namespace AiConformance.Plugin.Tests.SonobuoyDefinition;

/// <summary>
/// sonobuoy/ai-conformance-rbac.yaml stays least-privilege as fixtures add rules: no wildcards, no Secrets, nothing
/// that grants or borrows more rights (RoleBindings of the read-only picker role excepted), and the binding ties the
/// role to the plugin's ServiceAccount.
/// </summary>
[TestFixture]
public sealed class RbacFileTests
{
    private static readonly string[] EscalatingVerbs = ["escalate", "bind", "impersonate", "approve", "sign"];

    private static IReadOnlyList<YamlMappingNode> Documents()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(RepositoryFiles.Read("sonobuoy/ai-conformance-rbac.yaml")));
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static string Text(YamlNode node, string key) =>
        ((YamlMappingNode)node).Children.TryGetValue(new YamlScalarNode(key), out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

    private static IReadOnlyList<string> List(YamlNode rule, string key) =>
        ((YamlMappingNode)rule).Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? ((YamlSequenceNode)value).Children.Select(c => ((YamlScalarNode)c).Value ?? "").ToList()
            : [];

    private static IEnumerable<YamlNode> Rules() => Documents()
        .Where(d => Text(d, "kind") is "ClusterRole" or "Role")
        .SelectMany(d => ((YamlSequenceNode)d.Children[new YamlScalarNode("rules")]).Children);

    [Test]
    public void NoRuleUsesAWildcard()
    {
        var wildcards = Rules().Where(r => new[] { "apiGroups", "resources", "verbs", "nonResourceURLs", "resourceNames" }
            .Any(key => List(r, key).Any(v => v.Contains('*'))));

        Assert.That(wildcards.Select(r => string.Join(",", List(r, "resources"))), Is.Empty);
    }

    [Test]
    public void NoRuleReachesSecretsOrRbacOrEscalates()
    {
        var rules = Rules().ToList();
        var rbac = rules.Where(r => List(r, "apiGroups").Contains("rbac.authorization.k8s.io")).ToList();
        Assert.That(rules, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(rules.SelectMany(r => List(r, "resources")), Has.None.EqualTo("secrets").And.None.EqualTo("serviceaccounts/token"));
            Assert.That(rules.Except(rbac).SelectMany(r => List(r, "verbs")), Has.None.AnyOf(EscalatingVerbs));
            Assert.That(rbac.Select(Describe), Is.EquivalentTo(new[] { "rbac.authorization.k8s.io rolebindings create", $"rbac.authorization.k8s.io clusterroles bind {PickerRole}" }),
                "the only RBAC rights: create RoleBindings, and bind the picker's role and no other");
        });
    }

    [Test]
    public void ThePickerRoleTheSuiteMayBindOnlyReads()
    {
        var picker = Documents().Single(d => Text(d, "kind") == "ClusterRole" && Text(d.Children[new YamlScalarNode("metadata")], "name") == PickerRole);
        var rules = ((YamlSequenceNode)picker.Children[new YamlScalarNode("rules")]).Children;

        Assert.That(rules.SelectMany(r => List(r, "verbs")).Distinct(), Is.SubsetOf(new[] { "get", "list", "watch" }));
        Assert.That(rules.SelectMany(r => List(r, "resources")), Does.Contain("pods").And.Contain("inferencepools"));
    }

    private const string PickerRole = "ai-conformance-picker";

    private static string Describe(YamlNode rule) =>
        string.Join(" ", new[] { "apiGroups", "resources", "verbs", "resourceNames" }.Select(key => string.Join(",", List(rule, key))).Where(part => part.Length > 0));

    [Test]
    public void TheBindingGivesTheRoleToThePluginServiceAccountOnly()
    {
        var documents = Documents();
        var account = documents.Single(d => Text(d, "kind") == "ServiceAccount");
        var binding = documents.Single(d => Text(d, "kind") == "ClusterRoleBinding");
        var role = documents.Single(d => Text(d, "kind") == "ClusterRole" && Text(d.Children[new YamlScalarNode("metadata")], "name") == "ai-conformance");
        var subjects = ((YamlSequenceNode)binding.Children[new YamlScalarNode("subjects")]).Children;

        Assert.Multiple(() =>
        {
            Assert.That(Text(binding.Children[new YamlScalarNode("roleRef")], "name"), Is.EqualTo(Text(role.Children[new YamlScalarNode("metadata")], "name")));
            Assert.That(subjects, Has.Count.EqualTo(1));
            Assert.That((Text(subjects[0], "kind"), Text(subjects[0], "name"), Text(subjects[0], "namespace")),
                Is.EqualTo(("ServiceAccount", Text(account.Children[new YamlScalarNode("metadata")], "name"), Text(account.Children[new YamlScalarNode("metadata")], "namespace"))));
        });
    }
}
