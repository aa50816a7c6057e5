using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review53;

// Review 53, YARP's HttpForwarder.HandleRequestFailureAsync (src/ReverseProxy/Forwarder/HttpForwarder.cs:630, :645):
// `var triedRequestBody = requestContent?.ConsumptionTask.IsCompleted == true; ... if (triedRequestBody) { ...
// requestContent!.ConsumptionTask.Result }`: the completion check is kept in a local flag, then the flag is the guard.
// A task once complete stays complete, so the flag says so wherever it is read, unless the flag or the task is
// assigned again after it.
public sealed class CompletionFlagTests
{
    [Fact]
    public async Task BRG2003_knows_a_task_complete_under_a_local_flag_of_its_completion()
    {
        await V2003.AnalyzerAsync("""
            class Content { public Task<(int, string)> ConsumptionTask { get; } = Task.FromResult((0, "")); }

            class C
            {
                async ValueTask<int> HandleFailure(Content? requestContent)
                {
                    var triedRequestBody = requestContent?.ConsumptionTask.IsCompleted == true;
                    if (triedRequestBody)
                    {
                        var (result, _) = requestContent!.ConsumptionTask.Result;
                        if (result == 1) return await Task.FromResult(1);
                    }

                    if (triedRequestBody)
                    {
                        var (result, _) = requestContent!.ConsumptionTask.Result;
                        return result;
                    }

                    return 0;
                }

                async Task<int> Negated(Task<int> t)
                {
                    await Task.Yield();
                    var pending = !t.IsCompleted;
                    if (!pending) return t.Result;
                    if (pending) return [|t.Result|];
                    return 0;
                }

                async Task<int> FlagAssignedAgain(Task<int> t, bool other)
                {
                    await Task.Yield();
                    var done = t.IsCompleted;
                    done = other;
                    return done ? [|t.Result|] : 0;
                }

                async Task<int> TaskAssignedAgain(Task<int> t, Task<int> other)
                {
                    await Task.Yield();
                    var done = t.IsCompleted;
                    t = other;
                    return done ? [|t.Result|] : 0;
                }

                async Task<int> FlagOfAnotherTask(Task<int> t, Task<int> other)
                {
                    await Task.Yield();
                    var done = other.IsCompleted;
                    return done ? [|t.Result|] : 0;
                }
            }
            """);
    }
}
