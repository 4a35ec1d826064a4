namespace AiConformance.ClusterSim.Rbac;

/// <summary>An authenticated caller: user name and groups, as the authenticators of kube-apiserver produce them.</summary>
public sealed record Identity(string User, IReadOnlyList<string> Groups)
{
    public bool IsClusterAdmin => Groups.Contains("system:masters");

    public static Identity Admin { get; } = new("kubernetes-admin", ["system:masters", "system:authenticated"]);

    public static Identity ServiceAccount(string ns, string name) =>
        new($"system:serviceaccount:{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"]);
}

/// <summary>What a request asks to do, in RBAC terms.</summary>
public sealed record AccessRequest(string Verb, string Group, string Resource, string? Subresource, string? Namespace, string? Name);
