using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Review61;

// Review 61: `new Task(async () => ...)` takes an Action (Task has no Func<Task> constructor), so the lambda is async
// void: Start() then await sees the task complete at the lambda's first await, and an exception thrown after it crashes
// the process. BRG2004 reported it only with LongRunning (a dedicated thread); on the pool it said nothing. Task.Run, whose
// Func<Task> overload waits for the whole function, is the fix. `new Task<Task>(async () => ...)` is a Func<Task>: not
// async void, and not reported.
public sealed class BRG2004NewTaskTests
{
    private const string Prelude = """
        class C
        {
            static Task SaveAsync() => Task.Delay(1);

        """;

    [Fact]
    public Task Reports_an_async_lambda_given_to_new_Task() => Verifier.AnalyzerAsync(
        Prelude + "async Task M() { var t = new Task({|#0:async () =>|} { await SaveAsync(); throw new InvalidOperationException(); }); t.Start(); await t; } }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("lambda", "new Task(...)", "the task completes at the lambda's first await, before the work is done", "Task.Run, whose task completes when the async function does"));

    [Theory]
    [InlineData("void M(CancellationToken ct) { new Task([|async () =>|] await SaveAsync(), ct).Start(); } }")]
    [InlineData("async Task M() { var t = new Task<Task>(async () => await SaveAsync()); t.Start(); await await t; } }")]
    public Task Reports_only_the_async_void_lambda(string source) => Verifier.AnalyzerAsync(Prelude + source);
}
