using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AiConformance.Plugin.Tests.Packaging;

/// <summary>
/// Records, through the runtime's own network telemetry (the System.Net.Sockets, System.Net.NameResolution and
/// System.Net.Http event sources), every socket connect, DNS look-up and HTTP request this process starts, so a
/// test can prove that code talked to nothing but loopback.
/// </summary>
internal sealed class NetworkWatch : EventListener
{
    private static readonly string[] Sources = ["System.Net.Sockets", "System.Net.NameResolution", "System.Net.Http"];
    private readonly List<string> connects = [];
    private readonly List<string> lookups = [];
    private readonly List<string> requests = [];

    public IReadOnlyList<string> Connects { get { lock (connects) { return [.. connects]; } } }
    public IReadOnlyList<string> Lookups { get { lock (lookups) { return [.. lookups]; } } }
    public IReadOnlyList<string> Requests { get { lock (requests) { return [.. requests]; } } }

    /// <summary>Everything seen that is not loopback.</summary>
    public IReadOnlyList<string> BeyondLoopback =>
    [
        .. Connects.Where(a => !IsLoopbackSocketAddress(a)).Select(a => "connect " + a),
        .. Lookups.Where(h => !IsLoopbackHost(h)).Select(h => "DNS " + h),
        .. Requests.Where(h => !IsLoopbackHost(h)).Select(h => "HTTP " + h),
    ];

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (Sources.Contains(source.Name))
        {
            EnableEvents(source, EventLevel.Informational);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventSource.Name, e.EventName)
        {
            case ("System.Net.Sockets", "ConnectStart"):
                Add(connects, Payload(e, "address"));
                break;
            case ("System.Net.NameResolution", "ResolutionStart"):
                Add(lookups, Payload(e, "hostNameOrAddress"));
                break;
            case ("System.Net.Http", "RequestStart"):
                Add(requests, Payload(e, "host"));
                break;
        }
    }

    /// <summary>
    /// Whether a <see cref="SocketAddress"/> as the telemetry prints it (<c>Family:Size:{bytes after the family}</c>:
    /// port, then the IPv4 address, or flow info and the IPv6 address) is a loopback IP address or a Unix domain socket.
    /// </summary>
    public static bool IsLoopbackSocketAddress(string text)
    {
        var parts = text.Split(':', 3);
        if (parts.Length < 3 || !Enum.TryParse<AddressFamily>(parts[0], out var family))
        {
            return false;
        }
        if (family == AddressFamily.Unix)
        {
            return true;
        }
        var bytes = parts[2].Trim('{', '}').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => byte.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        var address = family switch
        {
            AddressFamily.InterNetwork when bytes.Length >= 6 => new IPAddress(bytes[2..6]),
            AddressFamily.InterNetworkV6 when bytes.Length >= 22 => new IPAddress(bytes[6..22]),
            _ => null,
        };
        return address is not null && (IPAddress.IsLoopback(address) || address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()));
    }

    public static bool IsLoopbackHost(string host)
    {
        var bare = host.Trim('[', ']');
        return bare.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(bare, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static string Payload(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? e.Payload?[index]?.ToString() ?? "" : "";
    }

    private static void Add(List<string> list, string value)
    {
        lock (list)
        {
            list.Add(value);
        }
    }
}
