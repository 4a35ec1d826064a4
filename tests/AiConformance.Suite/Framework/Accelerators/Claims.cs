using k8s.Models;

namespace AiConformance.Suite.Framework;

/// <summary>Builders for DRA claims and claim templates asking for devices of one DeviceClass.</summary>
public static class Claims
{
    public const string RequestName = "accelerator";

    public static V1ResourceClaimSpec Spec(string deviceClass, int count = 1, string? celSelector = null) => new()
    {
        Devices = new V1DeviceClaim
        {
            Requests =
            [
                new V1DeviceRequest
                {
                    Name = RequestName,
                    Exactly = new V1ExactDeviceRequest
                    {
                        DeviceClassName = deviceClass,
                        AllocationMode = "ExactCount",
                        Count = count,
                        Selectors = celSelector is null ? null : [new V1DeviceSelector { Cel = new V1CELDeviceSelector { Expression = celSelector } }],
                    },
                },
            ],
        },
    };

    public static V1ResourceClaimTemplate Template(string name, string deviceClass, int count = 1, string? celSelector = null) => new()
    {
        ApiVersion = "resource.k8s.io/v1",
        Kind = "ResourceClaimTemplate",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ResourceClaimTemplateSpec { Spec = Spec(deviceClass, count, celSelector) },
    };

    public static Resourcev1ResourceClaim Claim(string name, string deviceClass, int count = 1, string? celSelector = null) => new()
    {
        ApiVersion = "resource.k8s.io/v1",
        Kind = "ResourceClaim",
        Metadata = new V1ObjectMeta { Name = name },
        Spec = Spec(deviceClass, count, celSelector),
    };

    /// <summary>The devices a claim was allocated, empty when it is not allocated.</summary>
    public static IReadOnlyList<V1DeviceRequestAllocationResult> Allocated(this Resourcev1ResourceClaim claim) =>
        [.. claim.Status?.Allocation?.Devices?.Results ?? []];

    public static bool IsAllocated(this Resourcev1ResourceClaim claim) => claim.Allocated().Count > 0;

    public static IReadOnlyList<V1ResourceClaimConsumerReference> ReservedFor(this Resourcev1ResourceClaim claim) =>
        [.. claim.Status?.ReservedFor ?? []];

    /// <summary>One line for messages and evidence: allocation and reservations.</summary>
    public static string Describe(this Resourcev1ResourceClaim claim)
    {
        var devices = claim.Allocated().Select(result => $"{result.Driver}/{result.Pool}/{result.Device}").ToList();
        var reserved = claim.ReservedFor().Select(consumer => $"{consumer.Resource}/{consumer.Name}").ToList();
        return $"claim {claim.Metadata.Name}: " +
               (devices.Count == 0 ? "not allocated" : $"allocated [{string.Join(", ", devices)}]") +
               (reserved.Count == 0 ? ", reserved for nobody" : $", reserved for [{string.Join(", ", reserved)}]");
    }

    public static string Describe(IReadOnlyList<Resourcev1ResourceClaim> claims) =>
        claims.Count == 0 ? "no claims" : string.Join("; ", claims.Select(claim => claim.Describe()));
}
