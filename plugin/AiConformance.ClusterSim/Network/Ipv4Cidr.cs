using System.Net;
using System.Net.Sockets;

namespace AiConformance.ClusterSim.Network;

/// <summary>An IPv4 range in CIDR notation (<c>10.244.3.0/24</c>), with its addresses by offset.</summary>
public readonly record struct Ipv4Cidr(uint Network, int PrefixLength)
{
    /// <summary>How many addresses the range holds.</summary>
    public long Size => 1L << (32 - PrefixLength);

    public static bool TryParse(string? text, out Ipv4Cidr cidr)
    {
        cidr = default;
        var parts = (text ?? "").Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[1], out var prefix) || prefix is < 1 or > 32 || ToNumber(parts[0]) is not { } address) return false;
        var mask = prefix == 32 ? uint.MaxValue : ~(uint.MaxValue >> prefix);
        cidr = new Ipv4Cidr(address & mask, prefix);
        return true;
    }

    public static Ipv4Cidr Parse(string text) =>
        TryParse(text, out var cidr) ? cidr : throw new FormatException($"'{text}' is not an IPv4 CIDR such as 10.96.0.0/12");

    public bool Contains(string address) => ToNumber(address) is { } number && number >= Network && number - Network < Size;

    /// <summary>The address <paramref name="offset"/> places after the network address.</summary>
    public string At(long offset) => ToText((uint)(Network + offset));

    /// <summary>The offset of an address inside the range, or null when it is outside.</summary>
    public long? OffsetOf(string address) => Contains(address) ? ToNumber(address)!.Value - Network : null;

    public override string ToString() => $"{ToText(Network)}/{PrefixLength}";

    private static uint? ToNumber(string text)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork || text.Count(c => c == '.') != 3) return null;
        var bytes = address.GetAddressBytes();
        return (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
    }

    private static string ToText(uint number) => $"{number >> 24}.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}";
}
