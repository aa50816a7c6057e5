using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review48;

// Review 48, dotNext's RaftCluster.PreVoteAsync: `await foreach (var response in SendRequestsAsync(...).ConfigureAwait(false))
// { switch (response.GetAwaiter().GetResult().Value) ... }`, where SendRequestsAsync is `=> Task.WhenEach(...)`:
// Task.WhenEach yields each task once it is complete, so reading it does not block.
public sealed class WhenEachTests
{
    [Fact]
    public async Task BRG2003_knows_a_task_yielded_by_Task_WhenEach_complete()
    {
        await V2003.AnalyzerAsync("""
            class C
            {
                async Task<int> Direct(Task<int>[] tasks)
                {
                    var sum = 0;
                    await foreach (var t in Task.WhenEach(tasks)) sum += t.Result;
                    return sum;
                }

                async Task<int> ThroughLocalFunction(Task<int>[] tasks, CancellationToken token)
                {
                    var sum = 0;
                    await foreach (var t in Each(tasks).WithCancellation(token).ConfigureAwait(false)) sum += t.GetAwaiter().GetResult();
                    return sum;

                    static IAsyncEnumerable<Task<int>> Each(Task<int>[] tasks) => Task.WhenEach(tasks);
                }

                async Task<int> NotWhenEach(Task<int>[] tasks, Task<int> other)
                {
                    var sum = 0;
                    await foreach (var t in Task.WhenEach(tasks)) sum += [|other.Result|];
                    foreach (var t in tasks) sum += [|t.Result|];
                    return sum;
                }
            }
            """);
    }
}
