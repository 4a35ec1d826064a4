using System.Text.Json.Nodes;

namespace AiConformance.ClusterSim.Store;

/// <summary>
/// What the store asks of the API layer on every write, whoever writes: defaulting and validation (as the registry
/// strategies of kube-apiserver do), and whether a kind has a status subresource.
/// </summary>
public interface IStoreAdmission
{
    bool HasStatusSubresource(ResourceKind kind);

    /// <summary>Defaults and validates <paramref name="obj"/> in place; throws <see cref="StatusException"/> to refuse.</summary>
    void Admit(ResourceKind kind, JsonObject obj, JsonObject? old);

    /// <summary>Whether the kind's registry strategy counts metadata.generation (set on create, raised by spec changes).</summary>
    bool SetsGeneration(ResourceKind kind) => true;
}

/// <summary>Admits everything unchanged; for stores used without an API layer.</summary>
public sealed class NoAdmission : IStoreAdmission
{
    public static readonly NoAdmission Instance = new();

    public bool HasStatusSubresource(ResourceKind kind) => kind.Plural is "pods" or "nodes" or "namespaces";

    public void Admit(ResourceKind kind, JsonObject obj, JsonObject? old) { }
}
