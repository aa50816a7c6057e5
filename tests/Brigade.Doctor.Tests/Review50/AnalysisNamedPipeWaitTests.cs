using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review50;

/// <summary>Review 50: a named pipe's server waiting for a client, and a client waiting for a server, are I/O waits named
/// by the API the program called. On Unix the pipe is a Unix domain socket and <c>WaitForConnection</c> blocks on the task
/// of its <c>AcceptAsync</c>: the thread showed as <c>GetAwaiter().GetResult()</c> on a <c>ValueTask&lt;Socket&gt;</c>, "no
/// thread runs its code now".</summary>
public sealed class AnalysisNamedPipeWaitTests
{
    [Theory]
    [InlineData("System.IO.Pipes.NamedPipeServerStream", "WaitForConnection", "NamedPipeServerStream.WaitForConnection")]
    [InlineData("System.IO.Pipes.NamedPipeClientStream", "Connect", "NamedPipeClientStream.Connect")]
    [InlineData("System.IO.Pipes.NamedPipeClientStream", "ConnectInternal", "NamedPipeClientStream.Connect")]
    public void ANamedPipeConnectionWait_IsAnIoWait(string type, string method, string api)
    {
        Assert.Equal((WaitKind.IO, api), WaitRule.Match(type, method));

        // Outermost, it names the wait, over the task (or sleep) it blocks on inside.
        Assert.True(WaitRule.IsNamedPipeConnect(api));
    }
}
