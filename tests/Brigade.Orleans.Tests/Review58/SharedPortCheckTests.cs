using System.Net;
using System.Net.Sockets;
using Brigade.Orleans.Hosting;

namespace Brigade.Orleans.Tests.Review58;

// Review 58, by hand: two `brigade silo --port 23151` started at the same moment (gateways 42051 and 42052) both said
// ready: both passed the in-use check before either bound, and Orleans binds with ReuseAddress, which .NET on Linux makes
// SO_REUSEPORT, so the kernel let both listen and shared the port's connections between them. `brigade cluster status`
// showed "1 silo" for the two. A silo now fails its start when another process listens on its ports too
// (SharedPortCheck); these tests pin how it reads the kernel's tables, in-process (no silo).
public sealed class SharedPortCheckTests
{
    // The kernel's format (/proc/net/tcp and tcp6 on the machine of the hand check): addresses as little-endian hex words.
    private static readonly string[] Tables =
    [
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0100007F:5A47 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19680296 1 0000000050bf9f71 100 0 0 10 0",
        "   1: 0100007F:5A47 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19680301 1 0000000050bf9f72 100 0 0 10 0",
        "   2: 0100007F:5A47 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 19680400 1 0000000050bf9f73 100 0 0 10 0",
        "   3: 0200007F:5A47 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19680500 1 0000000050bf9f74 100 0 0 10 0",
        "   4: 00000000:A41A 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1138 1 00000000b669b70d 100 0 0 10 0",
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        "   0: 0000000000000000FFFF00000100007F:5A47 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19680777 1 0000000000000000 100 0 0 10 0",
    ];

    [Fact]
    public void TheListenersOnAPort_AreThoseListeningAtItsAddressOrAWildcard()
    {
        // 0x5A47 = 23111: two listeners on 127.0.0.1 (the shared port), a connection (not listening), one on 127.0.0.2,
        // and an IPv4-mapped listener in tcp6; 0xA41A = 42010 on 0.0.0.0.
        Assert.Equal(new long[] { 19680296, 19680301, 19680777 }, SharedPortCheck.Listeners(Tables, IPAddress.Loopback, 23111));
        Assert.Equal(new long[] { 19680500 }, SharedPortCheck.Listeners(Tables, IPAddress.Parse("127.0.0.2"), 23111));
        Assert.Equal(new long[] { 1138 }, SharedPortCheck.Listeners(Tables, IPAddress.Loopback, 42010));
        Assert.Empty(SharedPortCheck.Listeners(Tables, IPAddress.Loopback, 42000));
    }

    // The live tables: a socket of this process, bound as Orleans binds (ReuseAddress), is found, and is not another's.
    [SkippableFact]
    public void ASocketOfThisProcess_IsFoundInTheKernelsTable_AndIsNotAnotherProcesss()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "reads /proc/net/tcp");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        Assert.Single(SharedPortCheck.Listeners(File.ReadLines("/proc/net/tcp"), IPAddress.Loopback, port));
        Assert.Equal(0, SharedPortCheck.OtherListeners(IPAddress.Loopback, port));
    }
}
