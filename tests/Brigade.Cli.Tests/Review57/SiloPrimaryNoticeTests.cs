using System.Net;
using System.Net.Sockets;
using Brigade.Cli.Commands;

namespace Brigade.Cli.Tests.Review57;

// Review 57: `brigade silo --port 21111 --gateway-port 40000` (meant as the primary, --primary-port left at its default
// 11111, where nothing listened) logged Orleans' "Connection attempt to endpoint S127.0.0.1:11111:0 failed" warnings for
// minutes and never said ready, nor why. A silo still joining after 10 s now says where it looks for the primary.
public sealed class SiloPrimaryNoticeTests
{
    [Fact]
    public async Task APrimaryPortWhereNothingListens_IsNamed_WithWhatToDo()
    {
        var free = new TcpListener(IPAddress.Loopback, 0);
        free.Start();
        var port = ((IPEndPoint)free.LocalEndpoint).Port;
        free.Stop();

        var line = await SiloCommand.UnansweredPrimaryAsync(new IPEndPoint(IPAddress.Loopback, port), CancellationToken.None);

        Assert.NotNull(line);
        Assert.StartsWith("brigade silo: not ready after 10 s: it joins the cluster through the primary silo at 127.0.0.1:" + port, line, StringComparison.Ordinal);
        Assert.Contains("where nothing listens", line, StringComparison.Ordinal);
        Assert.Contains($"the silo whose --port is {port}", line, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public async Task APrimaryThatAcceptsConnections_IsNotNoticed()
    {
        using var primary = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        primary.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        primary.Listen();

        Assert.Null(await SiloCommand.UnansweredPrimaryAsync((IPEndPoint)primary.LocalEndPoint!, CancellationToken.None));
    }
}
