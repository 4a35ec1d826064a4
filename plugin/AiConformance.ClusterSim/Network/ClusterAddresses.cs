namespace AiConformance.ClusterSim.Network;

/// <summary>The address plan of the simulated cluster, as kubeadm lays one out by default.</summary>
public static class ClusterAddresses
{
    /// <summary>Services' ClusterIPs (kube-apiserver <c>--service-cluster-ip-range</c>).</summary>
    public static Ipv4Cidr ServiceCidr { get; } = Ipv4Cidr.Parse("10.96.0.0/12");

    /// <summary>The <c>kubernetes</c> Service's address: the first of the range.</summary>
    public const string KubernetesServiceIp = "10.96.0.1";

    /// <summary>The cluster DNS Service's address, which every pod's resolv.conf names.</summary>
    public const string DnsServiceIp = "10.96.0.10";

    public const string ClusterDomain = "cluster.local";

    /// <summary>The pod network; node <c>n</c> gets <c>10.244.n.0/24</c> of it.</summary>
    public static string NodePodCidr(int ordinal) => $"10.244.{ordinal}.0/24";

    /// <summary>NodePort and LoadBalancer Services' node ports (<c>--service-node-port-range</c>).</summary>
    public const int FirstNodePort = 30000;

    public const int LastNodePort = 32767;
}
