using System.Text.Json.Nodes;
using AiConformance.ClusterSim.Store;

namespace AiConformance.ClusterSim.Behaviours;

/// <summary>
/// Writes core/v1 Events as the components' event recorders do: one Event per object, reason and message, its
/// count and lastTimestamp raised when the same thing happens again.
/// </summary>
public sealed class EventRecorder(IClusterStore store)
{
    public void Record(JsonObject involved, ResourceKind kind, string type, string reason, string message, string component)
    {
        var ns = involved.Namespace() ?? "default";
        var now = Json.Now();
        var existing = store.List(Kinds.Event, ns, e =>
            (string?)e["involvedObject"]?["uid"] == involved.Uid() && (string?)e["reason"] == reason && (string?)e["message"] == message);
        if (existing.Count > 0)
        {
            store.Mutate(Kinds.Event, ns, existing[0].Name(), e =>
            {
                e["count"] = (JsonNumber.Int(e["count"]) ?? 1) + 1;
                e["lastTimestamp"] = now;
            });
            return;
        }
        var involvedObject = new JsonObject
        {
            ["kind"] = kind.Kind,
            ["namespace"] = involved.Namespace(),
            ["name"] = involved.Name(),
            ["uid"] = involved.Uid(),
            ["apiVersion"] = kind.ApiVersion,
            ["resourceVersion"] = (string?)involved["metadata"]?["resourceVersion"],
        };
        if (involved.Namespace() is null) involvedObject.Remove("namespace");
        store.Create(Kinds.Event, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{involved.Name()}.{DateTime.UtcNow.Ticks:x}",
                ["namespace"] = ns,
            },
            ["involvedObject"] = involvedObject,
            ["reason"] = reason,
            ["message"] = message,
            ["type"] = type,
            ["source"] = new JsonObject { ["component"] = component },
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
            ["reportingComponent"] = component,
            ["reportingInstance"] = "",
        });
    }
}
