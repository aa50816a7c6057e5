using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review51;

/// <summary>Review 51: a <c>Thread.Sleep(Timeout.Infinite)</c> that ends <c>Main</c> after a <c>switch</c> (or an <c>if</c>)
/// is a branch target: each case's <c>break</c> jumps to its <c>ldc.i4.m1</c>. It read as a sleep that wakes, so a process
/// parked that way counted as one that can still run, and a leaked <c>SemaphoreSlim</c> slot was listed, not reported.</summary>
public sealed class AnalysisSleepForeverAfterBranchTests
{
    private const long SleepToken = 0x0A000001;

    private static (string Type, string Name)? Member(long token) => token == SleepToken ? ("Thread", "Sleep") : null;

    [Fact]
    public void ALiteralThatABranchLandsOn_IsStillTheArgument()
    {
        // 0: ldarg.0; 1: brfalse.s +1 (-> 4); 3: nop; 4: ldc.i4.m1; 5: call Thread.Sleep; 10: ret
        byte[] il = [0x02, 0x2C, 0x01, 0x00, 0x15, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A];

        Assert.True(InfiniteTimeoutArgument.EveryCallPassesInfinite(il, Member, "Thread", "Sleep"));
    }

    [Fact]
    public void PathsThatMeetOnTheCall_AreNotInfinite()
    {
        // cond ? Timeout.Infinite : ms — 0: ldarg.0; 1: brfalse.s +3 (-> 6); 3: ldc.i4.m1; 4: br.s +1 (-> 7); 6: ldloc.0; 7: call; 12: ret
        byte[] il = [0x02, 0x2C, 0x03, 0x15, 0x2B, 0x01, 0x06, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A];

        Assert.False(InfiniteTimeoutArgument.EveryCallPassesInfinite(il, Member, "Thread", "Sleep"));
    }
}
