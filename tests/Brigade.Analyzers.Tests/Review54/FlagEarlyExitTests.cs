using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review54;

// Review 54: review 53's completion flag (`var done = t.IsCompleted;`) guarded `if (done) ... t.Result` but not an early
// exit on it, `if (!done) return; ... t.Result` (nor `Assert.True(done);`, the shape of the AWS Lambda test template:
// `task.Wait(7000); bool completed = task.IsCompleted; Assert.True(completed);`), which the same check written inline
// passes (the wait with a timeout before it is itself reported). The early exit is read once the whole body is known: a
// flag assigned again, or its task, still do not guard.
public sealed class FlagEarlyExitTests
{
    [Fact]
    public async Task BRG2003_knows_a_task_complete_after_an_early_exit_on_its_completion_flag()
    {
        await V2003.AnalyzerAsync("""
            static class Assert { public static void True(bool condition) { } }

            class C
            {
                async Task<int> EarlyExit(Task<int> t)
                {
                    await Task.Yield();
                    var done = t.IsCompleted;
                    if (!done) return -1;
                    return t.Result;
                }

                async Task<int> Asserted(Task<int> task)
                {
                    await Task.Yield();
                    [|task.Wait(7000)|];
                    bool completed = task.IsCompleted;
                    Assert.True(completed);
                    return task.Result;
                }

                async Task<int> FlagAssignedLater(Task<int> t, bool other)
                {
                    await Task.Yield();
                    var done = t.IsCompleted;
                    if (!done) return -1;
                    var r = [|t.Result|];
                    done = other;
                    return r;
                }

                async Task<int> TaskAssignedLater(Task<int> t, Task<int> other)
                {
                    await Task.Yield();
                    var done = t.IsCompleted;
                    if (!done) return -1;
                    var r = [|t.Result|];
                    t = other;
                    return r;
                }

                async Task<int> FlagOfAnotherTask(Task<int> t, Task<int> other)
                {
                    await Task.Yield();
                    var done = other.IsCompleted;
                    if (!done) return -1;
                    return [|t.Result|];
                }

                async Task<int> ExitWhenComplete(Task<int> t)
                {
                    await Task.Yield();
                    var done = t.IsCompleted;
                    if (done) return -1;
                    return [|t.Result|];
                }
            }
            """);
    }
}
