namespace Brigade.Doctor.Tests;

/// <summary>
/// The shapes of hang that an audit against programs written outside this repository got wrong, each now a corpus
/// program diagnosed from outside (the corpus theory checks their labels too; these check the words a user reads).
/// </summary>
public sealed class ForeignProgramTests
{
    [Fact]
    public async Task LockRingOnAStringLiteralATypeAndThis_IsOneDeadlock_NamingTheLiteralAndTheType()
    {
        // Before: the string was no lock target, the ring had no edge through it, and the program was "no pitfall found".
        var diagnosis = await DiagnoseAsync("literal-lock-ring");

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.Equal(["audit", "orders", "restock"], cycle.Threads.Select(t => t.Name).Order());
        var message = Assert.Single(diagnosis.Reports).Message;
        // Review 21, D5: a literal (on the frozen heap since .NET 8) is called one object process-wide; a string built at
        // run time is not (StringLockTests).
        Assert.Contains("on System.String (the string \"brigade-corpus-orders\": a literal is one object process-wide", message, StringComparison.Ordinal);
        Assert.Contains("(typeof(Brigade.Doctor.Corpus.Scenarios.LiteralLockRing.Inventory))", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("infinite-try-enter-ring")]
    [InlineData("twin-timed-try-enter")]
    public async Task TwoThreadsTryEnteringEachOthersLock_AreAPossibleDeadlock_WithTheTimeoutCaveat(string scenario)
    {
        // Review 21, D4: TryEnter(x, Timeout.Infinite) and TryEnter(x, 10 min) leave the same frames; the timeout is not in
        // the dump. Before: both were "no pitfall found" (a real ring of infinite TryEnters included), with a livelock hint.
        var diagnosis = await DiagnoseAsync(scenario);

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        Assert.Equal(["alice", "bob"], cycle.Threads.Select(t => t.Name).Order());
        Assert.All(cycle.Links, l => Assert.Equal("Monitor.TryEnter", l.Wait.Api));
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.StartsWith("Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor); unless a TryEnter below has a finite timeout, none", message, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock:", message, StringComparison.Ordinal);
        Assert.Contains("with a timeout the dump cannot show", message, StringComparison.Ordinal);
        Assert.DoesNotContain("livelock", diagnosis.ToString(), StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(diagnosis.ToJson());
        Assert.True(json.RootElement.GetProperty("deadlocks")[0].GetProperty("possible").GetBoolean());
    }

    [Fact]
    public async Task ResultOnAThreadWithASingleThreadedSynchronizationContext_IsADeadlockOfThatThread()
    {
        // Before: listed as "no owner to blame", exit 0: the UI-thread .Result deadlock went unreported.
        var diagnosis = await DiagnoseAsync("ui-thread-result");

        // Review 63: the same program has two workers blocked on contexts whose pump ended (Review63/DeadPumpContextTests).
        var cycle = Assert.Single(diagnosis.Deadlocks, d => d.Threads.Any(t => t.Name == "ui"));
        var link = Assert.Single(cycle.Links);
        Assert.Equal("ui", link.Waiter.Name);
        Assert.Same(link.Waiter, link.Holder);
        var message = Assert.Single(diagnosis.Reports, r => r.Message.StartsWith("Deadlock detected: thread 'ui'", StringComparison.Ordinal)).Message;
        Assert.StartsWith("Deadlock detected: thread 'ui'", message, StringComparison.Ordinal);
        Assert.Contains("whose continuation is queued on this thread's SynchronizationContext (Brigade.Doctor.Corpus.Scenarios.SingleThreadContext)", message, StringComparison.Ordinal);
        Assert.Contains("ConfigureAwait(false)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResultOnAUiThreadWhoseTaskPostsNothingBack_IsNoDeadlock()
    {
        var diagnosis = await DiagnoseAsync("twin-ui-configure-await");

        Assert.Empty(diagnosis.Deadlocks);
        Assert.Empty(diagnosis.Reports);
        Assert.Contains(diagnosis.Threads, t => t.Name == "ui-ok" && t.Wait?.Kind == WaitKind.Task);
    }

    [Fact]
    public async Task AnEventWaitWhileHoldingALockAnotherThreadWaitsFor_IsListedWithThatThread()
    {
        // Before: both threads were listed, with nothing tying the event wait to the thread blocked behind its holder.
        // Review 65b: the loader's code sets the event after that lock: a possible cycle of the two (Review65b tests it).
        var diagnosis = await DiagnoseAsync("event-wait-under-lock");

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.True(cycle.IsPossible);
        var line = diagnosis.ToString().Split('\n').First(l => l.Contains("thread 'cache-owner'", StringComparison.Ordinal) && l.Contains(" waits in WaitHandle.WaitOne", StringComparison.Ordinal));
        Assert.Contains("thread 'loader'", line, StringComparison.Ordinal);

        // The wait roots only the event's SafeWaitHandle: it is named through the static that holds the event.
        Assert.Contains("on Microsoft.Win32.SafeHandles.SafeWaitHandle (the handle of System.Threading.ManualResetEvent static field Brigade.Doctor.Corpus.Scenarios.EventWaitUnderLock.Loaded)", line, StringComparison.Ordinal);
    }

    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{scenario}: {outcome.Error}\n{outcome.ChildOutput}");
        Assert.True(outcome.LeftRunning, $"{scenario}: the diagnosed process did not survive its dump");
        return outcome.Diagnosis!;
    }
}
