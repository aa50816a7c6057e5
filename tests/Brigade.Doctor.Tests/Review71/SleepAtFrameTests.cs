using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review71;

/// <summary>Review 71: the user's <c>Main</c> sleeps 300 ms in one branch and <c>Thread.Sleep(Timeout.Infinite)</c> at its end;
/// every call had to pass an infinite timeout, so the parked Main read as a sleep that wakes, a thread that might still
/// signal. With the frame's IL offset (at or before its own call), only the calls it may be in count.</summary>
public sealed class SleepAtFrameTests
{
    // ldc.i4 300; call Thread.Sleep; ldc.i4.m1; call Thread.Sleep; ret   (offsets 0, 5, 10, 11, 16)
    private static readonly byte[] Body = [0x20, 0x2C, 0x01, 0x00, 0x00, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x15, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A];

    private static (string Type, string Name)? Member(long token) => token == 0x0A000001 ? ("Thread", "Sleep") : null;

    [Fact]
    public void WithoutAnOffset_EveryCallMustPassInfinite()
    {
        Assert.False(InfiniteTimeoutArgument.EveryCallPassesInfinite(Body, Member, "Thread", "Sleep"));
    }

    [Theory]
    [InlineData(11, true)] // at the second call
    [InlineData(16, true)] // just after it
    [InlineData(0, false)] // before the first call: either may be the one
    [InlineData(5, false)] // at the first call
    [InlineData(10, false)] // just after the first call (which may be the one: a return address can map past its call)
    public void WithAnOffset_OnlyTheCallsTheFrameMayBeInCount(int offset, bool infinite)
    {
        Assert.Equal(infinite, InfiniteTimeoutArgument.EveryCallPassesInfinite(Body, Member, "Thread", "Sleep", offset));
    }
}
