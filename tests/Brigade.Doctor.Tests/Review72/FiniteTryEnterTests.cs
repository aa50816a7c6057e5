using Brigade.Diagnostics;
using Brigade.Doctor.Analysis;
using Brigade.Doctor.Tests.Review52;

namespace Brigade.Doctor.Tests.Review72;

/// <summary>
/// Review 72 (fresh71's livelock-tryenter-literal): two threads each retry the other's lock with
/// <c>Monitor.TryEnter(other, 20)</c>, a literal at the call. The doctor read it as "BRG1001 Deadlock detected ... unless a
/// TryEnter below has a finite timeout, none of them can ever proceed", each wait "with a timeout the dump cannot show",
/// though the caller's IL has it. A cycle whose every wait is a TryEnter with a finite literal is threads retrying each
/// other's locks: a possible livelock (BRG1007), never a deadlock. A variable or <c>Timeout.Infinite</c> keeps the words.
/// </summary>
public sealed class FiniteTryEnterTests
{
    private const long TryEnterToken = 0x0A000001;
    private const long SleepToken = 0x0A000002;

    private static (string Type, string Name)? Member(long token) => token switch
    {
        TryEnterToken => ("Monitor", "TryEnter"),
        SleepToken => ("Thread", "Sleep"),
        _ => null,
    };

    [Theory]
    [InlineData(new byte[] { 0x03, 0x1F, 20, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A }, 20L)] // ldarg.1; ldc.i4.s 20; call TryEnter; ret
    [InlineData(new byte[] { 0x03, 0x20, 0x30, 0x75, 0x00, 0x00, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A }, 30000L)] // ldc.i4 30000
    [InlineData(new byte[] { 0x03, 0x16, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A }, 0L)] // ldc.i4.0
    [InlineData(new byte[] { 0x03, 0x1D, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A }, 7L)] // ldc.i4.7
    public void AFiniteLiteralAtTheCall_IsReadAsItsValue(byte[] il, long ms)
    {
        Assert.Equal([ms], InfiniteTimeoutArgument.LastArguments(il, Member, "Monitor", "TryEnter"));
        Assert.False(InfiniteTimeoutArgument.EveryCallPassesInfinite(il, Member, "Monitor", "TryEnter"));
    }

    [Theory]
    [InlineData(new byte[] { 0x03, 0x15, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A }, InfiniteTimeoutArgument.Infinite)] // ldc.i4.m1
    [InlineData(new byte[] { 0x03, 0x06, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A }, null)] // ldloc.0: a variable
    public void InfiniteOrAVariable_IsNoFiniteLiteral(byte[] il, long? read)
    {
        Assert.Equal([read], InfiniteTimeoutArgument.LastArguments(il, Member, "Monitor", "TryEnter"));
    }

    [Fact]
    public void TheSleepRulesStillReadTheirLiterals()
    {
        // ldc.i4 300; call Thread.Sleep; ldc.i4.m1; call Thread.Sleep; ret (review 71's Main)
        byte[] il = [0x20, 0x2C, 0x01, 0x00, 0x00, 0x28, 0x02, 0x00, 0x00, 0x0A, 0x15, 0x28, 0x02, 0x00, 0x00, 0x0A, 0x2A];
        Assert.Equal([300L, InfiniteTimeoutArgument.Infinite], InfiniteTimeoutArgument.LastArguments(il, Member, "Thread", "Sleep"));
        Assert.True(InfiniteTimeoutArgument.EveryCallPassesInfinite(il, Member, "Thread", "Sleep", 11));
    }

    [Fact]
    public void ACycleOfFiniteTryEnters_IsALivelock_NotADeadlock()
    {
        var detail = WaitRule.FiniteTryEnterDetail([20]);
        var a = Texts.Thread(4, "polite-a", WaitKind.Monitor, WaitRule.TimedMonitorEnter, "System.Object", "static field Shop.Program.Other", [5], detail);
        var b = Texts.Thread(5, "polite-b", WaitKind.Monitor, WaitRule.TimedMonitorEnter, "System.Object", "static field Shop.Program.Gate", [4], detail);
        var cycle = new DeadlockCycle([new DeadlockLink(a, b), new DeadlockLink(b, a)], []) { IsPossible = true };

        var report = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [], null, [], [a, b], [], livelocks: [cycle]).Single();

        Assert.Equal(PitfallKind.Livelock, report.Kind);
        Assert.Equal("BRG1007", report.Code);
        Assert.StartsWith("Livelock detected: 2 threads retry each other's locks in a cycle (lock/Monitor)", report.Message, StringComparison.Ordinal);
        Assert.Contains("none waits for ever (not a deadlock)", report.Message, StringComparison.Ordinal);
        Assert.Contains("a possible livelock", report.Message, StringComparison.Ordinal);
        Assert.Contains("with a timeout of 20 ms, written at the call: it gives up then", report.Message, StringComparison.Ordinal);
        Assert.Contains("back off for a random time (jitter)", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("can ever proceed", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the dump cannot show", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiteralTryEnterRetry_FromADump_IsALivelockOfTheTwo()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("literal-try-enter-retry");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        var report = Assert.Single(diagnosis.Reports);
        Assert.True(report.Code == "BRG1007", text);
        Assert.Empty(diagnosis.Deadlocks);
        Assert.Equal(["alice", "bob"], report.Threads.Select(t => t.Name!).Order(StringComparer.Ordinal));
        Assert.Contains("with a timeout of 30000 ms, written at the call", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("BRG1001", text, StringComparison.Ordinal);
        Assert.Contains("1 pitfall found: BRG1007.", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("twin-timed-try-enter")] // a TimeSpan variable: the timeout is not at the call
    [InlineData("infinite-try-enter-ring")] // Timeout.Infinite and InfiniteTimeSpan: a deadlock
    public async Task ATimeoutNotALiteral_KeepsThePossibleDeadlock(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var text = outcome.Diagnosis!.ToString();

        Assert.True(outcome.Diagnosis.Reports.Single().Code == "BRG1001", text);
        Assert.Contains("unless a TryEnter below has a finite timeout", text, StringComparison.Ordinal);
        Assert.Contains("with a timeout the dump cannot show", text, StringComparison.Ordinal);
    }
}
