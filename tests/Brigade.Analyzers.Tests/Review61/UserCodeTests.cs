using BRG2004Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;
using BRG2008Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2008NestedTaskNotUnwrappedAnalyzer>;

namespace Brigade.Analyzers.Tests.Review61;

// Review 61 ran the eight rules over users' code written for it (a Blazor component, a gRPC-style service, a channel
// pipeline, an observable, a ConfigureAwait(false) library, xunit tests, a hosted worker, an event aggregator). Two of
// what it found are here.
public sealed class UserCodeTests
{
    private const string Prelude = """
        class C
        {
            static Task SaveAsync() => Task.Delay(1);
            static Task Expect(Func<Task> action) => action();

        """;

    // ThreadPool.QueueUserWorkItem(async _ => ...) and new Thread(async () => ...) were told to use "Parallel.ForEachAsync
    // or Brigade's Runner.ForEachAsync", advice for a loop; there is no loop. Task.Run awaits the async function.
    [Fact]
    public Task BRG2004_advises_Task_Run_for_a_work_item() => BRG2004Verifier.AnalyzerAsync(
        Prelude + "void M() { ThreadPool.QueueUserWorkItem({|#0:async _ =>|} await SaveAsync()); } }",
        BRG2004Verifier.Diagnostic().WithLocation(0).WithArguments("lambda", "ThreadPool.QueueUserWorkItem", "the work item ends at the lambda's first await and nothing waits for the rest", "Task.Run, whose task completes when the async function does"));

    [Fact]
    public Task BRG2004_advises_Task_Run_for_a_thread() => BRG2004Verifier.AnalyzerAsync(
        Prelude + "void M() { new Thread({|#0:async () =>|} await SaveAsync()).Start(); } }",
        BRG2004Verifier.Diagnostic().WithLocation(0).WithArguments("lambda", "new Thread(...)", "the thread ends at the lambda's first await (Join returns then), before the work is done", "Task.Run, whose task completes when the async function does"));

    // xunit's `await Assert.ThrowsAsync<E>(() => t)` of a Task<Task> local: the lambda hands the outer task on as a Task,
    // which completes at the first await, so the assertion sees no exception. A read of the local in a lambda was not
    // looked at.
    [Theory]
    [InlineData("async Task M() { var t = Task.Factory.StartNew([|async () =>|] { await SaveAsync(); throw new InvalidOperationException(); }); await Expect(() => t); } }")]
    [InlineData("async Task M() { var t = Task.Factory.StartNew(async () => await SaveAsync()); await Expect(() => t.Unwrap()); } }")]
    public Task BRG2008_follows_the_local_into_a_lambda(string source) => BRG2008Verifier.AnalyzerAsync(Prelude + source);
}
