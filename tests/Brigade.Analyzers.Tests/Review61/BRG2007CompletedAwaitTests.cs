using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2007ThreadAffineLockAcrossAwaitAnalyzer>;

namespace Brigade.Analyzers.Tests.Review61;

// Review 61: an await of a task that is complete when it is made (Task.CompletedTask, Task.FromResult, default(ValueTask))
// continues inline on the thread that holds the lock: no other thread runs the release, nothing throws. It is what an
// async method with nothing to await writes to quiet CS1998, and was reported as if it could move to another thread.
// The first await after it that can suspend is still reported.
public sealed class BRG2007CompletedAwaitTests
{
    private const string Prelude = """
        class C
        {
            readonly object _sync = new();
            readonly ReaderWriterLockSlim _rw = new();
            int x;
            static Task SaveAsync() => Task.Delay(1);

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "async Task M() { Monitor.Enter(_sync); try { await Task.CompletedTask; [|await SaveAsync()|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { _rw.EnterWriteLock(); try { await Task.FromResult(1); x++; [|await Task.Yield()|]; } finally { _rw.ExitWriteLock(); } } }",
        Prelude + "async Task M(Task t) { Monitor.Enter(_sync); try { [|await t|]; } finally { Monitor.Exit(_sync); } } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { Monitor.Enter(_sync); try { x++; await Task.CompletedTask; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task<int> M() { _rw.EnterReadLock(); try { return await Task.FromResult(x); } finally { _rw.ExitReadLock(); } } }",
        Prelude + "async ValueTask M() { Monitor.Enter(_sync); try { await default(ValueTask); await new ValueTask<int>(1); await ValueTask.CompletedTask; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { Monitor.Enter(_sync); try { await Task.CompletedTask.ConfigureAwait(false); await ValueTask.FromResult(2).ConfigureAwait(false); } finally { Monitor.Exit(_sync); } } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Reports_the_first_await_that_can_suspend(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_awaits_of_tasks_complete_when_made(string source) => Verifier.AnalyzerAsync(source);
}
