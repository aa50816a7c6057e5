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

    [Theory]
    [InlineData("System.IO.StdInReader", "ReadKey", "Console.ReadKey")]
    [InlineData("System.IO.StdInReader", "ReadLine", "Console.ReadLine")]
    [InlineData("Interop+Sys", "ReadStdin", "I/O (ReadStdin)")]
    public void AConsoleReadFromATerminal_IsAnIoWait(string type, string method, string api)
    {
        // Review 45: a menu in Console.ReadKey on a terminal showed no wait at all (its frames are StdInReader.ReadKey over
        // Interop+Sys.ReadStdin; the Console.ReadKey frame is inlined): it looked running.
        Assert.Equal((WaitKind.IO, api), WaitRule.Match(type, method));
    }
}
