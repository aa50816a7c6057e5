using Brigade.Orleans.Dispatch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Brigade.Orleans.Tests.Review58;

// Review 57's closing note: ClusterConnection's own OneLine joined every line of a connection error into the message,
// Orleans' stack frames included ("... at Orleans.Runtime.Messaging.ConnectionManager.GetConnectionAsync(...) in
// /_/src/..."), where the rest of the cluster engine gives one line (ErrorText). The connection now uses ErrorText too.
public sealed class ConnectionErrorTextTests
{
    private const string Rejection =
        "Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to endpoint S127.0.0.1:21111:0. See InnerException\n" +
        " ---> Orleans.Networking.Shared.SocketConnectionException: Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused\n" +
        "   at Orleans.Networking.Shared.SocketConnectionFactory.ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken) in /_/src/Orleans.Core/Networking/Shared/SocketConnectionFactory.cs:line 67\n" +
        "   --- End of inner exception stack trace ---\n" +
        "   at Orleans.Runtime.Messaging.ConnectionManager.ConnectAsync(SiloAddress address, ConnectionEntry entry) in /_/src/Orleans.Core/Networking/ConnectionManager.cs:line 296";

    // In-process: the client host fails as it starts (a hosted service's StartingAsync, before Orleans' client tries any
    // gateway), so no silo and no connect timeout is involved.
    [Fact]
    public async Task AConnectionThatFailsWithAMultiLineError_IsOneLine_WithoutStackFrames()
    {
        var options = new ClusterConnectionOptions
        {
            ConfigureClient = client => client.Services.AddSingleton<IHostedService>(new FailingStart(new InvalidOperationException(Rejection))),
        };

        var e = await Assert.ThrowsAsync<ClusterUnavailableException>(() => ClusterConnection.ConnectAsync(options));

        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain(" at Orleans.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("End of inner exception", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            ": Exception while sending message: Orleans.Runtime.Messaging.ConnectionFailedException: Unable to connect to endpoint S127.0.0.1:21111:0 (Orleans.Networking.Shared.SocketConnectionException: Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused)",
            e.Message, StringComparison.Ordinal);
    }

    // An exception whose message defers to its inner exception without carrying its text (as a thrown, not logged, Orleans
    // ConnectionFailedException does): the inner one is named by its type and first line, as the text's "--->" line would be.
    [Fact]
    public void AMessageThatDefersToItsInnerException_NamesIt_ByItsFirstLine()
    {
        var e = new InvalidOperationException(
            "Unable to connect to endpoint S127.0.0.1:21111:0. See InnerException",
            new IOException("Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused\n   at Somewhere.Connect() in /_/x.cs:line 1"));

        Assert.Equal(
            "Unable to connect to endpoint S127.0.0.1:21111:0 (System.IO.IOException: Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused)",
            ErrorText.OneLine(e));
        Assert.Equal(
            "InvalidOperationException: Unable to connect to endpoint S127.0.0.1:21111:0 (System.IO.IOException: Unable to connect to 127.0.0.1:21111. Error: ConnectionRefused)",
            ErrorText.Gist(e));
    }

    [Fact]
    public void AMessageThatDoesNotDefer_IsItsFirstLine_InnerExceptionAside() =>
        Assert.Equal("first", ErrorText.OneLine(new InvalidOperationException("first\nsecond", new IOException("inner"))));

    private sealed class FailingStart(Exception failure) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.FromException(failure);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
