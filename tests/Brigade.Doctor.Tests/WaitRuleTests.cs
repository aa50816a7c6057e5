using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests;

/// <summary>Which <c>Task.Wait</c> overloads give up (review 21, D1): decided by the outermost frame's signature.</summary>
public sealed class WaitRuleTests
{
    [Theory]
    [InlineData("System.Threading.Tasks.Task.Wait(System.TimeSpan)", true)]
    [InlineData("System.Threading.Tasks.Task.Wait(System.TimeSpan, System.Threading.CancellationToken)", true)]
    [InlineData("System.Threading.Tasks.Task.Wait(Int32)", true)]
    [InlineData("System.Threading.Tasks.Task.Wait(Int32, System.Threading.CancellationToken)", true)]
    [InlineData("System.Threading.Tasks.Task.Wait()", false)]
    [InlineData("System.Threading.Tasks.Task.Wait(System.Threading.CancellationToken)", false)]
    [InlineData(null, false)]
    public void TaskWait_IsTimed_OnlyWithATimeoutParameter(string? signature, bool timed)
    {
        Assert.Equal(timed, WaitRule.IsTimedTaskWaitSignature(signature));
        Assert.True(WaitRule.IsTimed(WaitRule.TimedTaskWait));
        Assert.False(WaitRule.IsTimed("Task.Wait()"));
    }
}
