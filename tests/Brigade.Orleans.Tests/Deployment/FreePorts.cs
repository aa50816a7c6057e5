using System.Net;
using System.Net.Sockets;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>Ports free on every given address at once (the simulated hosts all use the same ports, as machines would).</summary>
internal static class FreePorts
{
    public static int[] On(IReadOnlyList<IPAddress> addresses, int count)
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
}
