using Brigade.Auto;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// A command's readings never go down: a child that exits takes its wait for a core out of its group's sum (nothing moves
/// it to its parent, as <c>wait4</c> moves its CPU), and the reaped figures keep what the running readings saw. Before, a
/// pipeline's or a script's computing child's wait was lost at reaping (the first process's alone was read), and under load
/// computing commands read as waiting (RunAutoTests.Run_Auto_CommandsWhoseChildrenCompute_AreNotTakenForWaitsWhileTheyRun).
/// </summary>
public sealed class ExecChildReadingTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static long Ns(double ms) => (long)(ms * 1_000_000);

    private static ExecChild NewChild() => new(id: 1, pid: 1, slot: 0, outFd: -1, errFd: -1, pidFd: -1);

    [Fact]
    public void NoteGroup_KeepsTheWaitOfAChildThatExited_AndTheMostCpuSeen()
    {
        var child = NewChild();
        lock (child.ReapGate)
        {
            // sh (5 ms) + awk (295 ms) waiting for a core; awk exits: its wait leaves the sum, its CPU moves to sh's cutime.
            var a = child.NoteGroup(new ExternalCpuReading(Ms(200), Ms(100), Runnable: true), Ns(4));
            var b = child.NoteGroup(new ExternalCpuReading(Ms(400), Ms(300), Runnable: true), Ns(5));
            var c = child.NoteGroup(new ExternalCpuReading(Ms(350), Ms(6), Runnable: false), Ns(6)); // a scan between awk's exit and sh's wait
            var d = child.NoteGroup(new ExternalCpuReading(Ms(410), Ms(30), Runnable: true), Ns(7));   // a second child waits 24 ms

            Assert.Equal([Ms(200), Ms(400), Ms(400), Ms(410)], new[] { a, b, c, d }.Select(r => r.CpuTime));
            Assert.Equal([Ms(100), Ms(300), Ms(300), Ms(324)], new[] { a, b, c, d }.Select(r => r.RunQueueWait));
            Assert.Equal([true, true, false, true], new[] { a, b, c, d }.Select(r => r.Runnable));
        }
    }

    [Fact]
    public void RecordReaped_AddsTheChildrensWaitSeenToTheFirstProcesss_AndNeverReadsLessThanWhileRunning()
    {
        var child = NewChild();
        ExternalCpuReading running;
        lock (child.ReapGate)
        {
            running = child.NoteGroup(new ExternalCpuReading(Ms(400), Ms(300), Runnable: true), Ns(10));
            _ = child.NoteGroup(new ExternalCpuReading(Ms(390), Ms(12), Runnable: false), Ns(12));

            // wait4: the children's CPU was waited for (430 ms); the first process waited 3 ms more for a core since the last reading.
            child.RecordReaped(status: 0, cpu: Ms(430), firstRunDelayNs: Ns(15));
        }

        child.Reaped = true; // as the event loop sets it once wait4 returned
        Assert.Equal(Ms(430), child.CpuTime);
        Assert.Equal(Ms(303), child.RunQueueWait);
        Assert.True(child.TryRead(out var reaped));
        Assert.True(reaped.CpuTime >= running.CpuTime && reaped.RunQueueWait >= running.RunQueueWait, $"{running} then {reaped}");
    }

    [Fact]
    public void RecordReaped_KeepsTheRunningCpu_WhereAChildWasWaitedForElsewhere()
    {
        // A background child left to another parent (its CPU is not in wait4's figures) was seen while it ran.
        var child = NewChild();
        lock (child.ReapGate)
        {
            _ = child.NoteGroup(new ExternalCpuReading(Ms(500), Ms(40), Runnable: false), Ns(1));
            child.RecordReaped(status: 0, cpu: Ms(120), firstRunDelayNs: Ns(1));
        }

        Assert.Equal(Ms(500), child.CpuTime);
        Assert.Equal(Ms(40), child.RunQueueWait);
    }

    [Fact]
    public void RecordReaped_NeverRead_TakesTheFirstProcesssFigures()
    {
        var child = NewChild();
        lock (child.ReapGate)
        {
            child.RecordReaped(status: 256, cpu: Ms(300), firstRunDelayNs: Ns(40));
        }

        Assert.Equal(256, child.Status);
        Assert.Equal(Ms(300), child.CpuTime);
        Assert.Equal(Ms(40), child.RunQueueWait);
    }

    [Fact]
    public void RecordReaped_IsNeverBelowTheFirstProcesssOwnWait()
    {
        // The last group reading came from a scan older than the first process's own reading (one scan serves 20 ms): the
        // first process's own wait at reaping is still a floor.
        var child = NewChild();
        lock (child.ReapGate)
        {
            _ = child.NoteGroup(new ExternalCpuReading(Ms(100), Ms(50), Runnable: false), Ns(80));
            child.RecordReaped(status: 0, cpu: Ms(100), firstRunDelayNs: Ns(90));
        }

        Assert.Equal(Ms(90), child.RunQueueWait);
    }
}
