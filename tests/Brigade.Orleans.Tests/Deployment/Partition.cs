using System.Net;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// Cuts a simulated host off without killing it: an nftables rule dropping every packet to or from its loopback address,
/// in a table of its own that is deleted when disposed. Only loopback addresses are accepted.
/// </summary>
/// <remarks>On one machine a process's outgoing loopback connections leave from 127.0.0.1 whatever address it binds, so
/// the cut silo can still open connections of its own; nobody can reach it: clients, gateways and the other silos'
/// probes all fail, which is what makes the cluster declare it dead.</remarks>
internal sealed class Partition : IDisposable
{
    private const string Nft = "/usr/sbin/nft";
    private readonly string _table;

    private Partition(string table) => _table = table;

    /// <summary>Why no partition can be made here (no nft, no CAP_NET_ADMIN), or null when one can.</summary>
    public static string? Unavailable()
    {
        if (!File.Exists(Nft))
        {
            return "nft is not installed (Debian package nftables)";
        }

        var probe = $"brigade_probe_{Environment.ProcessId}";
        var (code, output) = ChildProcess.Run(Nft, "add", "table", "ip", probe);
        if (code != 0)
        {
            return $"nftables rules cannot be applied here (CAP_NET_ADMIN?): {output.Trim()}";
        }

        ChildProcess.Run(Nft, "delete", "table", "ip", probe);
        return null;
    }

    public static Partition Cut(IPAddress host)
    {
        if (!IPAddress.IsLoopback(host) || host.Equals(IPAddress.Loopback))
        {
            throw new ArgumentException($"only a simulated host on a loopback address other than 127.0.0.1 may be cut off, not {host}");
        }

        var table = $"brigade_partition_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
        var partition = new Partition(table);
        try
        {
            Run("add", "table", "ip", table);
            Run("add", "chain", "ip", table, "out", "{ type filter hook output priority 0 ; policy accept ; }");
            Run("add", "rule", "ip", table, "out", "ip", "daddr", host.ToString(), "drop");
            Run("add", "rule", "ip", table, "out", "ip", "saddr", host.ToString(), "drop");
            return partition;
        }
        catch
        {
            partition.Dispose();
            throw;
        }
    }

    public void Dispose() => ChildProcess.Run(Nft, "delete", "table", "ip", _table);

    private static void Run(params string[] args)
    {
        var (code, output) = ChildProcess.Run(Nft, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"nft {string.Join(' ', args)} failed: {output}");
        }
    }
}
