using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2007ThreadAffineLockAcrossAwaitAnalyzer>;

namespace Brigade.Analyzers.Tests.Review67;

// Review 67. BRG2007 passed over an await of a task complete when made only where the await's operand was the making
// expression itself (`await Task.CompletedTask`, review 61): an await of a local that only ever holds such tasks
// (`var done = Task.CompletedTask; ... await done;`, `Task<int> t = Task.FromResult(0); if (x) t = Task.FromResult(1);`)
// or of a readonly field whose every assignment is one (`static readonly Task s_done = Task.CompletedTask`, BRG2003's
// fields of review 66c) was reported as if it could resume on another thread. It continues inline on the thread that
// holds the lock. Still reported: a local also assigned another task (in a lambda too), passed by ref or out, a field
// that is not readonly, a parameter.
public sealed class Review67CompleteLocalAwaitTests
{
    private const string Prelude = """
        class C
        {
            readonly object _sync = new();
            static readonly Task s_done = Task.CompletedTask;
            readonly Task<int> _zero = Task.FromResult(0);
            Task _mutable = Task.CompletedTask;
            readonly Task _started = Task.Run(() => { });
            int x;
            static Task SaveAsync() => Task.Delay(1);
            static void Swap(ref Task t) => t = SaveAsync();

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "async Task M() { var t = Task.CompletedTask; if (x > 0) t = SaveAsync(); Monitor.Enter(_sync); try { [|await t|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { var t = Task.CompletedTask; Action a = () => t = SaveAsync(); a(); Monitor.Enter(_sync); try { [|await t|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { var t = Task.CompletedTask; Swap(ref t); Monitor.Enter(_sync); try { [|await t|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { Monitor.Enter(_sync); try { [|await _mutable|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { Monitor.Enter(_sync); try { [|await _started|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { var t = Task.FromResult(1); Monitor.Enter(_sync); try { await t; [|await SaveAsync()|]; } finally { Monitor.Exit(_sync); } } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { var done = Task.CompletedTask; Monitor.Enter(_sync); try { x++; await done; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task<int> M() { Task<int> t = Task.FromResult(0); if (x > 0) t = Task.FromResult(x); Monitor.Enter(_sync); try { return await t.ConfigureAwait(false); } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { ValueTask v = default; Monitor.Enter(_sync); try { await v; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task<int> M() { Monitor.Enter(_sync); try { await s_done; return await _zero; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { Task t; t = Task.CompletedTask; Monitor.Enter(_sync); try { await t; } finally { Monitor.Exit(_sync); } } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Reports_an_await_of_a_local_or_field_that_may_hold_a_running_task(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_an_await_of_a_local_or_readonly_field_holding_only_complete_tasks(string source) => Verifier.AnalyzerAsync(source);
}
