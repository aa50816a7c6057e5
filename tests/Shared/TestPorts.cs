using System.Net;
using System.Net.Sockets;

namespace Brigade.TestSupport;

/// <summary>
/// TCP ports for a test to give a server it starts later (a silo, redis-server, postgres): ports the kernel never hands
/// out by itself, claimed across processes, so no one else can take one between the pick and the server's bind.
/// </summary>
/// <remarks>
/// A port found by binding port 0 and closing the socket is free only until the next bind(0) or connect() anywhere on the
/// machine: the kernel draws both from its ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>, 32768-60999),
/// and a silo binds its port seconds after the pick (9-30 s for three silos at CI's load 20-58, with four test hosts,
/// their silos and clients opening connections all the while). These ports come from 30000-32699, below that range and
/// above the ranges Orleans.TestingHost's allocator draws from for the in-process test clusters (22300-29999 for silos,
/// 12000-21999 or 40000-49999 for gateways, by version; it sees a port as free until a listener binds it), in blocks of
/// 100: a process claims a block with an exclusive lock on a file (<c>$TMPDIR/brigade-test-ports/N.lock</c>,
/// <see cref="FileShare.None"/>, an flock on Linux) that it holds until it exits, so two test hosts never share a block;
/// inside a process, ports are handed out once each. Each one is still checked free on every address before it is
/// given (a server of another program could listen there). Where the ephemeral range starts below 32700 (a machine
/// tuned otherwise), ports come from bind(0) as before.
/// </remarks>
internal static class TestPorts
{
    /// <summary>The first port of the claimed range.</summary>
    public const int First = 30_000;

    /// <summary>The ports in a block: what one claim gives a process.</summary>
    public const int BlockSize = 100;

    /// <summary>The blocks in the range (30000-32699): as many test hosts at once.</summary>
    public const int Blocks = 27;

    private static readonly object Gate = new();
    private static readonly List<FileStream> Claims = [];
    private static int _next;
    private static int _end;

    /// <summary>Gets the directory of the blocks' lock files.</summary>
    public static string ClaimsDirectory { get; } = Path.Combine(Path.GetTempPath(), "brigade-test-ports");

    /// <summary>Gets the first port the kernel hands out by itself (bind to port 0, connect), or 32768 if unknown.</summary>
    public static int EphemeralLow { get; } = ReadEphemeralLow();

    /// <summary>
    /// <paramref name="count"/> distinct ports, free on every one of <paramref name="addresses"/> at once (simulated hosts
    /// on 127.0.0.x use the same ports, as machines would), none given before in this process or claimed by another.
    /// </summary>
    public static int[] Free(IReadOnlyList<IPAddress> addresses, int count)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentOutOfRangeException.ThrowIfLessThan(addresses.Count, 1);
        if (EphemeralLow < First + (Blocks * BlockSize))
        {
            return FromEphemeralRange(addresses, count);
        }

        lock (Gate)
        {
            var found = new List<int>(count);
            while (found.Count < count)
            {
                if (_next == _end)
                {
                    ClaimBlock();
                }

                var port = _next++;
                if (addresses.All(a => IsFree(a, port)))
                {
                    found.Add(port);
                }
            }

            return [.. found];
        }
    }

    // A block no other live process holds, from a random start so that test hosts starting together try different ones.
    private static void ClaimBlock()
    {
        Directory.CreateDirectory(ClaimsDirectory);
        var start = Random.Shared.Next(Blocks);
        for (var i = 0; i < Blocks; i++)
        {
            var block = (start + i) % Blocks;
            try
            {
                var claim = new FileStream(Path.Combine(ClaimsDirectory, $"{block}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                Claims.Add(claim);
                _next = First + (block * BlockSize);
                _end = _next + BlockSize;
                return;
            }
            catch (IOException)
            {
                // Held by another test host: its ports are its own.
            }
        }

        throw new InvalidOperationException($"every block of test ports {First}-{First + (Blocks * BlockSize) - 1} is claimed by another process ({ClaimsDirectory})");
    }

    private static int[] FromEphemeralRange(IReadOnlyList<IPAddress> addresses, int count)
    {
        var found = new List<int>();
        for (var tries = 0; found.Count < count && tries < 200; tries++)
        {
            using var probe = new TcpListener(addresses[0], 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            if (!found.Contains(port) && addresses.All(a => IsFree(a, port)))
            {
                found.Add(port);
            }
        }

        return found.Count == count ? [.. found] : throw new InvalidOperationException("no free ports found");
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new TcpListener(address, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int ReadEphemeralLow()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux: Windows and macOS hand out 49152-65535.
            return OperatingSystem.IsLinux() ? 32768 : 49152;
        }
    }
}
