using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2008NestedTaskNotUnwrappedAnalyzer>;

namespace Brigade.Analyzers.Tests.Review60;

// Review 60: Task.Factory.StartNew (and ContinueWith) given an async function returns Task<Task>, whose outer task
// completes at the function's first await. Awaited, waited for or stored as a plain Task, it stands for work that has not
// finished, and exceptions after that await are lost. Task.Run unwraps; Unwrap() keeps StartNew's options and scheduler.
public sealed class BRG2008Tests
{
    private const string Prelude = """
        class C
        {
            private Task _worker = Task.CompletedTask;
            private readonly List<Task> _tasks = [];
            static Task SaveAsync() => Task.Delay(1);
            static Task<int> CountAsync() => Task.FromResult(1);
            static async Task LoopAsync(CancellationToken ct) { while (!ct.IsCancellationRequested) await Task.Delay(10, ct); }

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "async Task M() { await Task.Factory.StartNew([|async () =>|] { await SaveAsync(); throw new InvalidOperationException(); }); } }",
        Prelude + "void M() { Task.Factory.StartNew([|async () =>|] await SaveAsync()).Wait(); } }",
        Prelude + "void M(CancellationToken ct) { _worker = Task.Factory.StartNew([|async () =>|] await LoopAsync(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default); } }",
        Prelude + "async Task M() { var t = Task.Factory.StartNew([|async () =>|] await SaveAsync()); await t; } }",
        Prelude + "Task M() => Task.Factory.StartNew([|async () =>|] await SaveAsync()); }",
        Prelude + "async Task M() { await Task.WhenAll(Task.Factory.StartNew([|async () =>|] await SaveAsync()), SaveAsync()); } }",
        Prelude + "void M() { _tasks.Add(Task.Factory.StartNew([|async () =>|] await SaveAsync())); } }",
        Prelude + "async Task M() { await Task.Factory.StartNew([|SaveAsync|]); } }",
        Prelude + "async Task M() { async Task Local() { await SaveAsync(); } await Task.Factory.StartNew([|Local|]); } }",
        Prelude + "async Task M() { await Task.Factory.StartNew([|() => SaveAsync()|]).ConfigureAwait(false); } }",
        Prelude + "async Task M() { await new TaskFactory(TaskScheduler.Default).StartNew([|async () =>|] await SaveAsync()); } }",
        Prelude + "async Task M() { await SaveAsync().ContinueWith([|async t =>|] await SaveAsync()); } }",
        Prelude + "async Task M() { await Task.Factory.StartNew([|async delegate|] { await SaveAsync(); }); } }",
        Prelude + "void M() { Task.WaitAll(Task.Factory.StartNew([|async s =>|] await SaveAsync(), 1)); } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { await Task.Run(async () => await SaveAsync()); } }",
        Prelude + "async Task M() { await Task.Factory.StartNew(async () => await SaveAsync()).Unwrap(); } }",
        Prelude + "async Task M() { await await Task.Factory.StartNew(async () => await SaveAsync()); } }",
        Prelude + "async Task M() { var t = Task.Factory.StartNew(async () => await SaveAsync()); await t.Unwrap(); } }",
        Prelude + "async Task M() { var inner = await Task.Factory.StartNew(async () => await SaveAsync()); await inner; } }",
        Prelude + "void M() { Task.Factory.StartNew(async () => await SaveAsync()); } }",
        Prelude + "void M() { _ = Task.Factory.StartNew(async () => await SaveAsync(), TaskCreationOptions.LongRunning); } }",
        Prelude + "async Task M() { await Task.Factory.StartNew(() => Thread.Sleep(1)); } }",
        Prelude + "async Task<int> M() => await Task.Factory.StartNew(() => 42); }",
        Prelude + "Task<Task> M() => Task.Factory.StartNew(async () => await SaveAsync()); }",
        Prelude + "async Task M() { await SaveAsync().ContinueWith(t => Console.WriteLine(t.Status)); } }",
        Prelude + "async Task M() { await SaveAsync().ContinueWith(async t => await SaveAsync()).Unwrap(); } }",
        Prelude + "async Task M() { await Task.Factory.StartNew(async () => await SaveAsync(), CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default).Unwrap(); } }",
        Prelude + "void M() { new Thread(() => SaveAsync().Wait()).Start(); } }",
        Prelude + "async Task<int> M() { Task<int> t = await Task.Factory.StartNew(async () => await CountAsync()).ConfigureAwait(false); return await t; } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_a_nested_task_awaited_waited_or_stored_as_a_plain_task(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_unwrapped_dropped_and_synchronous_functions_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_names_the_API_the_nested_type_and_the_fix() => Verifier.AnalyzerAsync(
        Prelude + "async Task M() { await {|#1:Task.Factory.StartNew({|#0:async () =>|} await SaveAsync())|}; } }",
        Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("Task.Factory.StartNew", "Task", "Task.Run, which unwraps it"));

    [Fact]
    public Task Fix_turns_a_plain_StartNew_into_Task_Run() => Verifier.CodeFixAsync<BRG2008UnwrapCodeFix>(
        Prelude + "async Task M(CancellationToken ct) { await Task.Factory.StartNew([|async () =>|] await LoopAsync(ct), ct); } }",
        Prelude + "async Task M(CancellationToken ct) { await Task.Run(async () => await LoopAsync(ct), ct); } }");

    [Fact]
    public Task Fix_unwraps_where_options_and_the_scheduler_must_stay() => Verifier.CodeFixAsync<BRG2008UnwrapCodeFix>(
        Prelude + "void M(CancellationToken ct) { _worker = Task.Factory.StartNew([|async () =>|] await LoopAsync(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default); } }",
        Prelude + "void M(CancellationToken ct) { _worker = Task.Factory.StartNew(async () => await LoopAsync(ct), ct, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(); } }");

    [Fact]
    public Task Fix_unwraps_ContinueWith_and_a_method_group() => Verifier.CodeFixAsync<BRG2008UnwrapCodeFix>(
        Prelude + "async Task M() { await SaveAsync().ContinueWith([|async t =>|] await SaveAsync()); await Task.Factory.StartNew([|SaveAsync|]); } }",
        Prelude + "async Task M() { await SaveAsync().ContinueWith(async t => await SaveAsync()).Unwrap(); await Task.Run(SaveAsync); } }");

    [Fact]
    public Task FixAll_fixes_every_occurrence_in_one_pass() => Verifier.FixAllAsync<BRG2008UnwrapCodeFix>(
        [Prelude + "async Task M() { await Task.Factory.StartNew([|async () =>|] await SaveAsync()); Task.Factory.StartNew([|async () =>|] await SaveAsync(), TaskCreationOptions.LongRunning).Wait(); } }"],
        [Prelude + "async Task M() { await Task.Run(async () => await SaveAsync()); Task.Factory.StartNew(async () => await SaveAsync(), TaskCreationOptions.LongRunning).Unwrap().Wait(); } }"]);
}
