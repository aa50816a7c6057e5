using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests;

/// <summary>Audit 2: which <c>Task.WaitAll</c> overloads give up, and the frames that name a type-initialization,
/// <c>Barrier</c> or <c>CountdownEvent</c> wait.</summary>
public sealed class WaitAllAndTypeInitRuleTests
{
    [Theory]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.Threading.Tasks.Task[], Int32)", true)]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.Threading.Tasks.Task[], System.TimeSpan)", true)]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.Threading.Tasks.Task[], Int32, System.Threading.CancellationToken)", true)]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.Threading.Tasks.Task[])", false)]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.ReadOnlySpan`1<System.Threading.Tasks.Task>)", false)]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.Collections.Generic.IEnumerable`1<System.Threading.Tasks.Task>, System.Threading.CancellationToken)", false)]
    [InlineData("System.Threading.Tasks.Task.WaitAll(System.Threading.Tasks.Task[], System.Threading.CancellationToken)", false)]
    [InlineData(null, false)]
    public void TaskWaitAll_IsTimed_OnlyWithATimeoutAfterTheTasks(string? signature, bool timed)
    {
        Assert.Equal(timed, WaitRule.IsTimedTaskWaitAllSignature(signature));
        Assert.True(WaitRule.IsTimed(WaitRule.TimedTaskWaitAll));
        Assert.False(WaitRule.IsTimed("Task.WaitAll"));
    }

    [Fact]
    public void InitClassSlow_IsATypeInitializationWait_AndBarrierAndCountdownAreNamedByTheirApi()
    {
        Assert.Equal((WaitKind.TypeInitializer, WaitRule.TypeInitialization), WaitRule.Match("System.Runtime.CompilerServices.InitHelpers", "InitClassSlow"));
        Assert.Null(WaitRule.Match("System.Runtime.CompilerServices.StaticsHelpers", "GetGCStaticBaseSlow"));
        Assert.Equal((WaitKind.ManualResetEventSlim, "Barrier.SignalAndWait"), WaitRule.Match("System.Threading.Barrier", "SignalAndWait"));
        Assert.Equal((WaitKind.ManualResetEventSlim, "CountdownEvent.Wait"), WaitRule.Match("System.Threading.CountdownEvent", "Wait"));
    }
}
