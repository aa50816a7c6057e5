using V2007 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2007ThreadAffineLockAcrossAwaitAnalyzer>;
using V2008 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2008NestedTaskNotUnwrappedAnalyzer>;

namespace Brigade.Analyzers.Tests.Review60;

// Review 60, shapes of users' code the first versions of the two rules got wrong:
// - BRG2007: the polling loop `while (true) { if (Monitor.TryEnter(o)) break; await Task.Delay(10); }` awaits only while the
//   lock is NOT held (taken, the loop is left), but the await sat between the TryEnter and the Exit in source order.
// - BRG2008: `t.Wait(); t.Result.Wait();` waits for the outer task and then the inner one (t.Result): the nested task is
//   used, not mistaken for the work.
public sealed class SpinWaitAndResultTests
{
    private const string Prelude = """
        class C
        {
            readonly object _sync = new();
            readonly ReaderWriterLockSlim _rw = new();
            int x;
            static Task SaveAsync() => Task.Delay(1);

        """;

    [Theory]
    [InlineData("async Task M() { while (true) { if (Monitor.TryEnter(_sync)) break; await Task.Delay(10); } try { x++; } finally { Monitor.Exit(_sync); } } }")]
    [InlineData("async Task M() { while (true) { if (_rw.TryEnterWriteLock(0)) { break; } await Task.Delay(10); } try { x++; } finally { _rw.ExitWriteLock(); } } }")]
    [InlineData("async Task M() { for (var i = 0; ; i++) { if (Monitor.TryEnter(_sync, 5)) { break; } await Task.Yield(); } x++; Monitor.Exit(_sync); } }")]
    public Task BRG2007_leaves_awaits_of_a_polling_loop_that_leaves_once_taken_alone(string source) => V2007.AnalyzerAsync(Prelude + source);

    [Theory]
    [InlineData("async Task M() { while (true) { if (Monitor.TryEnter(_sync)) break; await Task.Delay(10); } try { [|await SaveAsync()|]; } finally { Monitor.Exit(_sync); } } }")]
    [InlineData("async Task M(bool b) { if (Monitor.TryEnter(_sync)) { x++; } [|await SaveAsync()|]; Monitor.Exit(_sync); } }")]
    public Task BRG2007_still_reports_an_await_after_the_loop_while_the_lock_is_held(string source) => V2007.AnalyzerAsync(Prelude + source);

    [Theory]
    [InlineData("void M() { var t = Task.Factory.StartNew(async () => await SaveAsync()); t.Wait(); t.Result.Wait(); } }")]
    [InlineData("async Task M() { var t = Task.Factory.StartNew(async () => await SaveAsync()); await t; await t.Result; } }")]
    public Task BRG2008_leaves_an_outer_task_whose_inner_task_is_waited_for_alone(string source) => V2008.AnalyzerAsync(Prelude + source);

    [Theory]
    [InlineData("void M() { var t = Task.Factory.StartNew([|async () =>|] await SaveAsync()); t.Wait(); _ = t.Result; } }")]
    public Task BRG2008_still_reports_an_inner_task_that_is_dropped(string source) => V2008.AnalyzerAsync(Prelude + source);
}
