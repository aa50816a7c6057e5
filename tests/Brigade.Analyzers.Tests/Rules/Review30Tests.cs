using V2001 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;
using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

// Review 30, findings 1, 5, 6 and 7: the probes of the review, each a case that failed before the fix.
public sealed class Review30Tests
{
    // Finding 1: completions the rule before an2003 accepted (and a stored WhenAll): no diagnostic.
    public static TheoryData<string> Brg2003Correct =>
    [
        "class C { async Task<int> M(Task<int> t) { if (await Task.WhenAny(t, Task.Delay(1000)) == t) return t.Result; return -1; } }",
        "class C { async Task<int> M(Task<int> t) { if (await Task.WhenAny(t, Task.Delay(1000)).ConfigureAwait(false) != t) throw new TimeoutException(); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { return await Task.WhenAny(t, Task.Delay(1000)) == t ? t.Result : -1; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { var all = Task.WhenAll(a, b); try { await all; } catch { } return a.Result + b.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { var all = Task.WhenAll(a, b); await all.ConfigureAwait(false); return a.Result + b.Result; } }",
        "class C { async Task<int> M(Task<int> t, CancellationToken ct) { await t.WaitAsync(ct); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await t.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false); return t.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(5)); return a.Result + b.Result; } }",
        "class C { async Task<int> M(Task<int> t) { while (!t.IsCompleted) await Task.Delay(10); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { while (!t.IsCompleted) { await Task.Delay(10); } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { do { await Task.Delay(10); } while (!t.IsCompleted); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { var done = await Task.WhenAny(t, Task.Delay(10)); if (done != t) return -1; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { while (!t.IsCompleted || t.IsFaulted) await Task.Delay(10); await Task.Yield(); if (t.IsFaulted) return 0; return t.Result; } }",
    ];

    // Finding 1 (what must stay reported) and finding 7: still, or now, reported.
    public static TheoryData<string> Brg2003Buggy =>
    [
        // WhenAny alone completes only the task it returns; a poll loop a break can leave completes nothing.
        "class C { async Task<int> M(Task<int> t) { await Task.WhenAny(t, Task.Delay(1000)); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { if (await Task.WhenAny(t, Task.Delay(1000)) == u) return [|t.Result|]; return -1; } }",
        "class C { async Task<int> M(Task<int> t, int n) { while (!t.IsCompleted) { if (n-- == 0) break; await Task.Delay(10); } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b, Task<int> c) { var all = Task.WhenAll(a, b); await all; return [|c.Result|]; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { Task all = Task.WhenAll(a, b); all = Task.CompletedTask; await all; return [|a.Result|]; } }",
        // Finding 7: an await in a lambda that has not run, and a reassignment after the await.
        "class C { async Task<int> M(Task<int> t) { _ = Task.Run(async () => { await t; }); return [|t.Result|]; } }",
        "class C { async Task<int> M(Func<Task<int>> f) { var t = f(); await t; t = f(); return [|t.Result|]; } }",
        "class C { async Task<int> M(Func<Task<int>> f) { var t = f(); if (!t.IsCompleted) return 0; t = f(); await Task.Yield(); return [|t.Result|]; } }",
        "class C { async Task<int> M(Dictionary<int, Task<int>> done, Dictionary<int, Task<int>> pending) { await Task.WhenAll(done.Values); var s = 0; foreach (var t in pending.Values) s += [|t.Result|]; return s; } }",
        "class C { async Task<int> M(TaskCompletionSource<int> a, TaskCompletionSource<int> b) { await a.Task; return [|b.Task.Result|]; } }",
    ];

    // Finding 7: still complete where it is (an await in the same lambda, or in the method around the lambda).
    public static TheoryData<string> Brg2003CorrectInLambdas =>
    [
        "class C { async Task<int> M(Task<int> t) { await t; return await Task.Run(() => t.Result); } }",
        "class C { Task<int> M(Task<int> t) => Task.Run(async () => { await t; return t.Result; }); }",
        "class C { async Task<int> M(Dictionary<int, Task<int>> done) { await Task.WhenAll(done.Values); var s = 0; foreach (var t in done.Values) s += t.Result; return s; } }",
        "class C { async Task<int> M(TaskCompletionSource<int> a) { await a.Task; return a.Task.Result; } }",
        "class C { async Task<int> M(Func<Task<int>> f) { var t = f(); await t; var u = f(); return t.Result + await u; } }",
    ];

    [Theory]
    [MemberData(nameof(Brg2003Correct))]
    public Task BRG2003_accepts_the_timeout_idioms_and_stored_WhenAll(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2003Buggy))]
    public Task BRG2003_still_reports_what_does_not_complete(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2003CorrectInLambdas))]
    public Task BRG2003_counts_completions_in_their_own_function(string source) => V2003.AnalyzerAsync(source);

    // Finding 5: a read lock against a write lock (or an exclusive lock) is an inversion; read against read is not,
    // for ReaderWriterLockSlim and Brigade's DetectingReaderWriterLock alike.
    public static TheoryData<string> Brg2001ReadWriteBuggy =>
    [
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new(); int _x;
          void W() { _rw.EnterWriteLock(); try { lock ([|_a|]) { _x++; } } finally { _rw.ExitWriteLock(); } }
          void R() { lock (_a) { [|_rw.EnterReadLock()|]; try { _x++; } finally { _rw.ExitReadLock(); } } } }
        """,
        """
        class C { readonly DetectingReaderWriterLock _r1 = new("r1"); readonly DetectingReaderWriterLock _r2 = new("r2"); int _x;
          void M1() { using (_r1.AcquireWrite()) { using ([|_r2.AcquireRead()|]) { _x++; } } }
          void M2() { using (_r2.AcquireWrite()) { using ([|_r1.AcquireRead()|]) { _x++; } } } }
        """,
        """
        class C { readonly ReaderWriterLockSlim _r1 = new(); readonly ReaderWriterLockSlim _r2 = new(); int _x;
          void M1() { _r1.EnterReadLock(); try { [|_r2.EnterWriteLock()|]; _r2.ExitWriteLock(); } finally { _r1.ExitReadLock(); } }
          void M2() { _r2.EnterReadLock(); try { [|_r1.EnterWriteLock()|]; _r1.ExitWriteLock(); } finally { _r2.ExitReadLock(); } } }
        """,
    ];

    public static TheoryData<string> Brg2001ReadReadCorrect =>
    [
        """
        class C { readonly DetectingReaderWriterLock _r1 = new("r1"); readonly DetectingReaderWriterLock _r2 = new("r2"); int _x;
          void M1() { using (_r1.AcquireRead()) { using (_r2.AcquireRead()) { _x++; } } }
          void M2() { using (_r2.AcquireRead()) { using (_r1.AcquireRead()) { _x++; } } } }
        """,
        """
        class C { readonly ReaderWriterLockSlim _r1 = new(); readonly ReaderWriterLockSlim _r2 = new(); int _x;
          void M1() { _r1.EnterReadLock(); try { _r2.EnterReadLock(); try { _x++; } finally { _r2.ExitReadLock(); } } finally { _r1.ExitReadLock(); } }
          void M2() { _r2.EnterReadLock(); try { _r1.EnterReadLock(); try { _x++; } finally { _r1.ExitReadLock(); } } finally { _r2.ExitReadLock(); } } }
        """,
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new();
          void M1() { _rw.EnterReadLock(); try { lock (_a) { } } finally { _rw.ExitReadLock(); } }
          void M2() { lock (_a) { _rw.EnterReadLock(); _rw.ExitReadLock(); } } }
        """,
        // Released before the other lock: ExitReadLock ends the hold.
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new();
          void M1() { _rw.EnterReadLock(); _rw.ExitReadLock(); lock (_a) { } }
          void M2() { lock (_a) { _rw.EnterWriteLock(); _rw.ExitWriteLock(); } } }
        """,
    ];

    // Finding 6: a SemaphoreSlim released through a helper is not held after the call.
    public static TheoryData<string> Brg2001ReleaseHelperCorrect =>
    [
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          async Task A() { await _gate.WaitAsync(); try { _x++; } finally { Exit(); } lock (_log) { _x++; } }
          void Exit() => _gate.Release();
          void B() { lock (_log) { _gate.Wait(); try { _x++; } finally { _gate.Release(); } } } }
        """,
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          void A() { _gate.Wait(); _x++; ReleaseLock(); lock (_log) { _x++; } }
          private void ReleaseLock() { if (_x > 0) { _gate.Release(); } }
          void B() { lock (_log) { _gate.Wait(); _gate.Release(); } } }
        """,
    ];

    public static TheoryData<string> Brg2001ReleaseHelperBuggy =>
    [
        // A helper that does not release the lock, or takes it again, does not end the hold.
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          async Task A() { await _gate.WaitAsync(); try { _x++; } finally { Log(); } lock ([|_log|]) { _x++; } _gate.Release(); }
          void Log() => _x++;
          void B() { lock (_log) { [|_gate.Wait()|]; _gate.Release(); } } }
        """,
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          void A() { _gate.Wait(); Cycle(); lock ([|_log|]) { _x++; } _gate.Release(); }
          void Cycle() { _gate.Release(); _gate.Wait(); }
          void B() { lock (_log) { [|_gate.Wait()|]; _gate.Release(); } } }
        """,
    ];

    [Theory]
    [MemberData(nameof(Brg2001ReadWriteBuggy))]
    public Task BRG2001_reports_read_against_write(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2001ReadReadCorrect))]
    public Task BRG2001_leaves_read_against_read_alone(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2001ReleaseHelperCorrect))]
    public Task BRG2001_ends_the_hold_at_a_release_helper(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2001ReleaseHelperBuggy))]
    public Task BRG2001_keeps_the_hold_through_other_calls(string source) => V2001.AnalyzerAsync(source);
}
