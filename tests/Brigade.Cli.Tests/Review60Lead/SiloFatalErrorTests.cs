using Brigade.Cli.Commands;
using Microsoft.Extensions.Hosting;

namespace Brigade.Cli.Tests.Review60Lead;

/// <summary>
/// Review 60: a silo frozen long enough to be declared dead, then resumed, ended through Orleans' fatal-error handler
/// ("FATAL EXCEPTION from ..." and the whole stack, then FailFast: exit 134). <see cref="SiloFatalError"/> replaces it.
/// </summary>
public sealed class SiloFatalErrorTests
{
    private const string DeclaredDead =
        "I have been told I am dead, so this silo will stop! Reason: I should be Dead according to the membership table (in TryUpdateMyStatusGlobalOnce). Local entry: SiloAddress=S127.0.0.1:13312:123 Status=Dead";

    [Fact]
    public void DeclaredDead_IsOneLine_SayingWhy_AndWhatToDo()
    {
        var line = SiloFatalError.Describe("127.0.0.1:13312", DeclaredDead, null);

        Assert.DoesNotContain('\n', line);
        Assert.StartsWith("brigade silo 127.0.0.1:13312: stopped by the cluster: the other silos declared it dead", line, StringComparison.Ordinal);
        Assert.Contains("start it again to rejoin", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ANewerSiloAtTheSameAddress_IsSaidSo()
    {
        var line = SiloFatalError.Describe("127.0.0.1:13312", "I have been told I am dead, so this silo will stop! Reason: Detected newer version of myself - I am the older clone so I will stop -- Current Me=S1 Newer Me=S2", null);

        Assert.Contains("a newer silo started at this silo's address and port took its place", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherFatalError_NamesItsContextAndException_InOneLine()
    {
        var error = new InvalidOperationException("outer", new TimeoutException("the table did not answer\n   at Orleans.Somewhere()"));

        var line = SiloFatalError.Describe("127.0.0.1:13312", "ProcessMembershipUpdates", error);

        Assert.DoesNotContain('\n', line);
        Assert.Contains("(ProcessMembershipUpdates): TimeoutException: the table did not answer", line, StringComparison.Ordinal);
    }

    [Fact]
    public void AFatalError_StopsTheHost_MutesTheLog_AndKeepsTheFirstVerdict()
    {
        using var stderr = new StringWriter();
        var exits = new List<int>();
        var bound = new SiloStopBound(stderr, exits.Add);
        var handler = new SiloFatalError("127.0.0.1:13312", bound);
        var lifetime = new Lifetime();
        var muted = 0;
        handler.Attach(lifetime, () => muted++);

        handler.OnFatalException(this, DeclaredDead);
        handler.OnFatalException(this, "ProcessMembershipUpdates", new InvalidOperationException("later"));
        bound.Stopped();

        Assert.Equal(1, lifetime.Stops);
        Assert.Equal(1, muted);
        Assert.Contains("declared it dead", handler.Verdict, StringComparison.Ordinal);

        // The verdict is the command's to write, after the host's log is flushed: nothing is written here.
        Assert.Equal("", stderr.ToString());
        Assert.Empty(exits);
    }

    [Fact(Timeout = 30_000)]
    public async Task AStopThatOverrunsTheBound_IsSaid_AndEndsTheProcess_WithTheStopsExitCode()
    {
        using var stderr = new StringWriter();
        var exited = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bound = new SiloStopBound(stderr, code => exited.TrySetResult(code));

        var watch = bound.Start("brigade silo s: stopped without leaving the cluster", 143, TimeSpan.FromMilliseconds(50));
        await bound.Start("a second start", 1, TimeSpan.FromMilliseconds(1));
        await watch;

        Assert.Equal(143, await exited.Task);
        Assert.Equal("brigade silo s: stopped without leaving the cluster (the silo did not stop within 0 s: ended)", stderr.ToString().TrimEnd());
    }

    [Fact(Timeout = 30_000)]
    public async Task AStopThatEnded_IsNotEnded_ByTheBound()
    {
        var exits = new List<int>();
        var bound = new SiloStopBound(TextWriter.Null, exits.Add);

        var watch = bound.Start("line", 143, TimeSpan.FromMilliseconds(50));
        bound.Stopped();
        await watch;

        Assert.Empty(exits);
    }

    [Fact]
    public void OrleansCallsIt_ForEveryException()
    {
        var handler = new SiloFatalError("s", new SiloStopBound(TextWriter.Null, _ => { }));

        Assert.True(handler.IsUnexpected(new InvalidOperationException()));
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public int Stops { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stops++;
    }
}
