using System.Globalization;
using System.Net;
using Microsoft.Extensions.Hosting;

namespace Brigade.Orleans.Hosting;

/// <summary>
/// Fails a silo's start, before its ready line, when another process listens on its silo or gateway port too. Orleans binds
/// its listeners with <c>SocketOptionName.ReuseAddress</c>, which .NET on Linux turns into <c>SO_REUSEPORT</c>: two
/// silos started at the same moment with the same port both passed <c>brigade silo</c>'s in-use check and both bound it,
/// and the kernel shared the port's connections between them. Seen by hand in review 58: two silos given the same
/// <c>--port</c> both said ready, as one silo 127.0.0.1:23151 to <c>brigade cluster status</c> ("1 silo"), each taking
/// some of the connections meant for the other. A silo started later is refused by the in-use check; this covers the
/// race. Linux only (it reads <c>/proc/net/tcp</c>); elsewhere it says nothing.
/// </summary>
internal sealed class SharedPortCheck(BrigadeSiloOptions options) : IHostedService
{
    private const string Listening = "0A";

    private static readonly string[] Tables = ["/proc/net/tcp", "/proc/net/tcp6"];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Registered after Orleans' silo: its listeners are bound when this runs.
        foreach (var (port, gateway) in new[] { (options.SiloPort, false), (options.GatewayPort, true) })
        {
            if (OtherListeners(options.Address, port) > 0)
            {
                throw new SharedPortException(port, gateway,
                    $"port {port} (this silo's {(gateway ? "gateway" : "silo")} port) on {options.Address} is also bound by another process, which takes some of its " +
                    "connections: two silos started at once with the same port? Stop them and give each silo its own ports");
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>How many listening sockets on <paramref name="port"/> (at <paramref name="address"/> or a wildcard) belong
    /// to other processes; 0 where the kernel's tables cannot be read.</summary>
    /// <param name="address">The address this process bound.</param>
    /// <param name="port">The port.</param>
    /// <returns>The count.</returns>
    public static int OtherListeners(IPAddress address, int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        try
        {
            var tables = Tables.Where(File.Exists).SelectMany(File.ReadLines).ToList();
            var own = OwnSockets();
            return Listeners(tables, address, port).Count(inode => !own.Contains(inode));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Whether this process has a listening socket on <paramref name="port"/> (at <paramref name="address"/> or a
    /// wildcard); null where the kernel's tables cannot be read (not Linux).</summary>
    /// <param name="address">The address this process bound.</param>
    /// <param name="port">The port.</param>
    /// <returns>Whether it listens there, or null when that cannot be told.</returns>
    public static bool? OwnListener(IPAddress address, int port)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var tables = Tables.Where(File.Exists).SelectMany(File.ReadLines).ToList();
            var own = OwnSockets();
            return Listeners(tables, address, port).Any(own.Contains);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The inodes of the listening sockets on <paramref name="port"/> in the lines of <c>/proc/net/tcp</c> or
    /// <c>tcp6</c>, at <paramref name="address"/> or a wildcard address (either side).</summary>
    /// <param name="lines">The tables' lines, headers included.</param>
    /// <param name="address">The address.</param>
    /// <param name="port">The port.</param>
    /// <returns>The inodes.</returns>
    internal static IEnumerable<long> Listeners(IEnumerable<string> lines, IPAddress address, int port)
    {
        foreach (var line in lines)
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[3] != Listening || fields[1].Split(':') is not [var hex, var portHex]
                || !int.TryParse(portHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var p) || p != port
                || Address(hex) is not { } local || !long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
            {
                continue;
            }

            if (Same(local, address))
            {
                yield return inode;
            }
        }
    }

    // The kernel writes the address as 32-bit words in host order (little-endian here), each as 8 hex digits.
    private static IPAddress? Address(string hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }

        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                if (!byte.TryParse(hex.AsSpan((word * 8) + ((3 - b) * 2), 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[(word * 4) + b]))
                {
                    return null;
                }
            }
        }

        return new IPAddress(bytes);
    }

    private static bool Same(IPAddress listener, IPAddress address)
    {
        static IPAddress V4(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
        var (l, a) = (V4(listener), V4(address));
        return l.Equals(a) || BrigadeSiloOptions.IsWildcardAddress(l) || BrigadeSiloOptions.IsWildcardAddress(a);
    }

    private static HashSet<long> OwnSockets()
    {
        var own = new HashSet<long>();
        foreach (var fd in Directory.EnumerateFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal)
                    && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode))
                {
                    own.Add(inode);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Closed while listed.
            }
        }

        return own;
    }
}
