using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2003Tests
{
    private const string Prelude = """
        class C
        {
            readonly int[] items = [1, 2, 3];
            readonly string[] names = ["a", "b"];
            readonly SemaphoreSlim sem = new(1);

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "void M() { Parallel.ForEach(items, x => [|Thread.Sleep(10)|]); } }",
        Prelude + "async Task M() { [|Thread.Sleep(10)|]; await Task.Yield(); } }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); return [|t.Result|]; } }",
        Prelude + "async Task M(Task t) { [|t.Wait()|]; await Task.Yield(); } }",
        Prelude + "async Task M(Task<int> t) { var x = [|t.GetAwaiter().GetResult()|]; await Task.Yield(); } }",
        Prelude + "Task<string> M() => Task.Run(() => [|File.ReadAllText(\"a\")|]); }",
        Prelude + "void M() { Parallel.For(0, 10, i => [|Task.Delay(1).Wait()|]); } }",
        Prelude + "async Task M(Task a, Task b) { [|Task.WaitAll(a, b)|]; await Task.Yield(); } }",
        Prelude + "void M() { Func<Task> f = async () => { [|Thread.Sleep(1)|]; await Task.Yield(); }; } }",
        Prelude + "Task M() => Runner.ForEachAsync(items, x => [|Thread.Sleep(x)|], new RunOptions { Engine = Engine.ThreadPool }); }",
        Prelude + "void M() { Parallel.ForEach(items, x => [|sem.Wait()|]); } }",
        Prelude + "void M() { var r = items.AsParallel().Select(x => { [|Thread.Sleep(1)|]; return x; }).ToList(); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => { var s = names.Select(n => [|File.ReadAllText(n)|]).ToList(); }); } }",
        Prelude + "async Task M(ValueTask<int> v) { var r = [|v.Result|]; await Task.Yield(); } }",
        Prelude + "async Task M(Task<int> t) { var x = [|t.ConfigureAwait(false).GetAwaiter().GetResult()|]; await Task.Yield(); } }",
        Prelude + "Task M() { var options = new RunOptions { Engine = Engine.Async }; return Runner.ForEachAsync(items, x => [|Thread.Sleep(x)|], options); } }",
        Prelude + "async Task M() { async Task Local() { [|Thread.Sleep(1)|]; await Task.Yield(); } await Local(); } }",

        // Review 29c, finding 6: waits that may end before the task, and mere mentions, do not complete it.
        Prelude + "async Task<int> M(Task<int> t) { await Task.WhenAny(t, Task.Delay(1000)); return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<int> t) { [|t.Wait(100)|]; await Task.Yield(); return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<int> t, Task u) { [|Task.WaitAny(t, u)|]; await Task.Yield(); return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<int> t) { Console.WriteLine(t.Status); await Task.Yield(); return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<int> t) { if (!t.IsCompleted) { await Task.Delay(1); } return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<int> t) { if (t.IsCompleted) { Console.WriteLine(); } await Task.Yield(); return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<Task<int>> outer) { var inner = await outer; return [|inner.Result|]; } }",

        // Review 29c, finding 12: a task created with new Task(...) runs its body on the pool once started.
        Prelude + "void M() { var t = new Task(() => [|Thread.Sleep(1)|]); t.Start(); } }",
        Prelude + "void M() { var t = new Task<int>(() => { [|Task.Delay(1).Wait()|]; return 1; }); t.Start(); } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task<int> M(Task<int> t) { var x = await t; return x; } }",
        Prelude + "async Task<int> M(Task<int> t) { await t; return t.Result; } }",
        Prelude + "async Task<int> M(Task<int> a, Task<int> b) { await Task.WhenAll(a, b); return a.Result + b.Result; } }",
        Prelude + "async Task<int> M(Task<int> t) { if (t.IsCompleted) { return t.Result; } return await t; } }",
        Prelude + "int M(Task<int> t) { Thread.Sleep(1); return t.Result; } }",
        Prelude + "void M() { new Thread(() => Thread.Sleep(10)).Start(); } }",
        Prelude + "Task M() => Task.Factory.StartNew(() => Thread.Sleep(10), TaskCreationOptions.LongRunning); }",
        Prelude + "Task M() => Runner.ForEachAsync(items, x => Thread.Sleep(x), new RunOptions { Engine = Engine.Threads }); }",
        Prelude + "Task M() => Runner.ForEachAsync(items, x => Thread.Sleep(x)); }",
        Prelude + "void M() { Parallel.ForEach(items, x => { if (sem.Wait(0)) { sem.Release(); } }); } }",
        Prelude + "async Task<int> M(Task<int> t) { return await t.ContinueWith(a => a.Result + 1); } }",
        Prelude + "Task M() => Parallel.ForEachAsync(items, async (x, ct) => await Task.Delay(x, ct)); }",
        Prelude + "async Task<int> M() { await Task.Yield(); return Task.FromResult(1).Result; } }",
        Prelude + "async Task<int> M(Task<int> a, Task<int> b) { var done = await Task.WhenAny(a, b); return done.Result; } }",
        Prelude + "async Task<string> M() => await File.ReadAllTextAsync(\"a\"); }",
        Prelude + "void M() { Parallel.ForEach(items, x => Thread.Sleep(0)); } }",
        // Found running the analyzers over this repository: a lambda given to a method that starts its own thread.
        Prelude + "static Task RunThread(Action body) { var t = new Thread(() => body()); t.Start(); return Task.CompletedTask; } async Task M() { await RunThread(() => Thread.Sleep(1)); } }",
        Prelude + "async Task M() { Func<int> f = () => { Thread.Sleep(1); return 1; }; await Task.Run(() => new Thread(() => Thread.Sleep(1)).Start()); } }",

        // Review 29c, finding 3: results read after await Task.WhenAll(tasks), through the collection.
        Prelude + "async Task<int> M(Task<int>[] tasks) { await Task.WhenAll(tasks); return tasks.Select(t => t.Result).Sum(); } }",
        Prelude + "async Task<int> M(Task<int>[] tasks) { await Task.WhenAll(tasks); var s = 0; foreach (var t in tasks) { s += t.Result; } return s; } }",
        Prelude + "async Task<int> M(Task<int>[] tasks) { await Task.WhenAll(tasks); return tasks[0].Result; } }",
        Prelude + "async Task<int> M(List<Task<int>> tasks) { await Task.WhenAll(tasks).ConfigureAwait(false); return tasks[0].Result + tasks.Where(t => t != null).Sum(t => t.Result); } }",

        // Review 29c, finding 4: nameof runs nothing.
        Prelude + "async Task<string> M(Task<int> t) { await Task.Yield(); return nameof(t.Result); } }",

        // Review 29c, finding 5: completion checks written as patterns.
        Prelude + "async Task<int> M(object o) { await Task.Yield(); return o is Task<int> { IsCompleted: true } tt ? tt.Result : 0; } }",
        Prelude + "async Task<int> M(Task<int> t) => t switch { { IsCompleted: true } => t.Result, _ => await t }; }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); if (t is { IsCompletedSuccessfully: true }) { return t.Result; } return 0; } }",

        // Guards on the path that remain recognised.
        Prelude + "async Task<int> M(Task<int> t) { if (!t.IsCompleted) { return 0; } await Task.Yield(); return t.Result; } }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); return t.Status == TaskStatus.RanToCompletion ? t.Result : 0; } }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); return t.IsCompleted && t.Result > 0 ? 1 : 0; } }",
        Prelude + "async Task<int> M(Task<int> t) { var done = await Task.WhenAny(t, Task.Delay(10)); return done == t ? t.Result : -1; } }",
        Prelude + "async Task<int> M(Task<int> t, CancellationToken ct) { await Task.Yield(); [|t.Wait(ct)|]; return t.Result; } }",
        Prelude + "void M() { var t = new Task(() => Thread.Sleep(1), TaskCreationOptions.LongRunning); t.Start(); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_blocking_calls_on_the_thread_pool(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_awaits_completed_tasks_and_dedicated_threads_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_names_the_call_and_where_it_runs() => Verifier.AnalyzerAsync(
        Prelude + "void M() { Parallel.ForEach(items, x => {|#0:Thread.Sleep(10)|}); } }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("Thread.Sleep", "a thread-pool thread in a body of Parallel.ForEach", "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)"));

    [Fact]
    public Task Fix_awaits_Result() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); return [|t.Result|] + 1; } }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); return await t + 1; } }");

    [Fact]
    public Task Fix_awaits_Wait_and_GetResult() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task M(Task t, Task<int> u) { [|t.Wait()|]; var x = [|u.GetAwaiter().GetResult()|]; } }",
        Prelude + "async Task M(Task t, Task<int> u) { await t; var x = await u; } }");

    [Fact]
    public Task Fix_delays_instead_of_sleeping() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task M() { [|Thread.Sleep(10)|]; await Task.Yield(); } }",
        Prelude + "async Task M() { await Task.Delay(10); await Task.Yield(); } }");

    [Fact]
    public Task Fix_calls_the_asynchronous_twin() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task<int> M() { var text = [|File.ReadAllText(\"a\")|]; await Task.Yield(); return text.Length; } }",
        Prelude + "async Task<int> M() { var text = await File.ReadAllTextAsync(\"a\"); await Task.Yield(); return text.Length; } }");

    [Fact]
    public Task Fix_waits_for_all_with_WhenAll() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task M(Task a, Task b) { [|Task.WaitAll(a, b)|]; } }",
        Prelude + "async Task M(Task a, Task b) { await Task.WhenAll(a, b); } }");

    [Fact]
    public Task FixAll_awaits_every_blocking_call_in_every_document_at_once() => Verifier.FixAllAsync<BRG2003AwaitCodeFix>(
        [
            Prelude + "async Task<int> M(Task t, Task<int> u, Task<int> v) { [|t.Wait()|]; [|Thread.Sleep(10)|]; var text = [|File.ReadAllText(\"a\")|]; return [|u.Result|] + [|v.GetAwaiter().GetResult()|] + text.Length; } }",
            "class D { async Task N(Task a, Task b) { [|Task.WaitAll(a, b)|]; [|Thread.Sleep(1)|]; } }",
        ],
        [
            Prelude + "async Task<int> M(Task t, Task<int> u, Task<int> v) { await t; await Task.Delay(10); var text = await File.ReadAllTextAsync(\"a\"); return await u + await v + text.Length; } }",
            "class D { async Task N(Task a, Task b) { await Task.WhenAll(a, b); await Task.Delay(1); } }",
        ]);

    [Fact]
    public Task Fix_is_not_offered_inside_a_lock() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); lock (sem) { return [|t.Result|]; } } }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); lock (sem) { return [|t.Result|]; } } }");

    [Fact]
    public Task Fix_is_not_offered_for_an_asynchronous_twin_returning_void() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "#pragma warning disable SYSLIB0014\nasync Task<string> M(System.Net.WebClient c, Uri u) { await Task.Yield(); [|c.DownloadFile(u, \"p\")|]; return [|c.DownloadString(u)|]; } }",
        Prelude + "#pragma warning disable SYSLIB0014\nasync Task<string> M(System.Net.WebClient c, Uri u) { await Task.Yield(); [|c.DownloadFile(u, \"p\")|]; return [|c.DownloadString(u)|]; } }");

    [Fact]
    public Task Fix_is_not_offered_in_a_catch_filter() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task M(Task<bool> t) { try { await Task.Yield(); } catch (Exception) when ([|t.Result|]) { } } }",
        Prelude + "async Task M(Task<bool> t) { try { await Task.Yield(); } catch (Exception) when ([|t.Result|]) { } } }");

    [Fact]
    public Task Fix_is_not_offered_in_an_unsafe_block_or_method() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); unsafe { return [|t.Result|]; } } async unsafe Task<int> N(Task<int> t) { return [|t.Result|]; } }",
        Prelude + "async Task<int> M(Task<int> t) { await Task.Yield(); unsafe { return [|t.Result|]; } } async unsafe Task<int> N(Task<int> t) { return [|t.Result|]; } }");

    [Fact]
    public Task Fix_is_not_offered_in_synchronous_parallel_bodies() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        Prelude + "void M() { Parallel.ForEach(items, x => [|Thread.Sleep(10)|]); } }",
        Prelude + "void M() { Parallel.ForEach(items, x => [|Thread.Sleep(10)|]); } }");
}
