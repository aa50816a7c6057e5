using V2001 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;
using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

// Review 32b: probes of the completion idioms (BRG2003) and of read locks and release helpers (BRG2001).
public sealed class Review32bTests
{
    public static TheoryData<string> Brg2003Correct =>
    [
        // P1: the timeout idiom compared with the delay.
        "class C { async Task<int> M(Task<int> t) { var delay = Task.Delay(1000); if (await Task.WhenAny(t, delay) == delay) throw new TimeoutException(); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { var delay = Task.Delay(1000); var done = await Task.WhenAny(t, delay); if (done == delay) return -1; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { var delay = Task.Delay(1000); return await Task.WhenAny(t, delay) != delay ? t.Result : -1; } }",
        // P2: a switch on Status.
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); switch (t.Status) { case TaskStatus.RanToCompletion: return t.Result; default: return -1; } } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.Status switch { TaskStatus.RanToCompletion => t.Result, _ => -1 }; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.Status is TaskStatus.RanToCompletion ? t.Result : -1; } }",
        // P3: the fast path.
        "class C { async Task<int> M(Task<int> t) { if (!t.IsCompleted) await t; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { if (!t.IsCompleted) { await t.ConfigureAwait(false); } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { try { await t; } catch (Exception) { } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { while (true) { try { await t; break; } catch { await Task.Delay(1); } } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { try { await t.WaitAsync(TimeSpan.FromSeconds(1)); } catch (TimeoutException) { throw new InvalidOperationException(); } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { try { await t.WaitAsync(TimeSpan.FromSeconds(1)); return t.Result; } catch (TimeoutException) { return -1; } } }",
        "class C { async Task<int> M(Task<int> t, bool b) { if (b) { await t; return t.Result; } return 0; } }",
        "class C { async Task<int> M(Task<int> t) { do { await t; } while (false); return t.Result; } }",
    ];

    public static TheoryData<string> Brg2003Buggy =>
    [
        // P4: completion on one path only.
        "class C { async Task<int> M(Task<int> t, bool fast) { if (fast) await t; return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool fast) { if (fast) { await t; } else { } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int[] xs) { foreach (var x in xs) { await t; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { var ok = b && await t > 0; return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u, bool b) { try { await u; } catch { await t; } return [|t.Result|]; } }",
        // P5: WaitAsync whose timeout is swallowed.
        "class C { async Task<int> M(Task<int> t) { try { await t.WaitAsync(TimeSpan.FromSeconds(1)); } catch (TimeoutException) { } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, CancellationToken ct) { try { await t.WaitAsync(ct); } catch (OperationCanceledException) { } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { try { await t.WaitAsync(TimeSpan.FromSeconds(1)); } catch { } return [|t.Result|]; } }",
        // P6: yield return is not an exit.
        "class C { async IAsyncEnumerable<int> M(Task<int> t) { await Task.Yield(); if (!t.IsCompleted) yield return -1; yield return [|t.Result|]; } }",
        // P7: a guard followed by an assignment.
        "class C { async Task<int> M(Task<int> t, Func<Task<int>> f) { await Task.Yield(); if (t.IsCompleted) { t = f(); return [|t.Result|]; } return 0; } }",
        // P8: WhenAny compared with a task that is not one of its arguments.
        "class C { async Task<int> M(Task<int> t, Task<int> u) { var delay = Task.Delay(1000); if (await Task.WhenAny(u, delay) == delay) throw new TimeoutException(); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { var delay = Task.Delay(1000); if (await Task.WhenAny(t, u, delay) == delay) throw new TimeoutException(); return [|t.Result|]; } }",
    ];

    // Odd syntax: no analyzer exception.
    public static TheoryData<string> Brg2003OddSyntax =>
    [
        "class C { async Task<int> M(Task<int> t) { int L() => t.Result; await t; async Task<int> N() { return [|t.Result|]; } return L() + await N(); } }",
        "record R(Task<int> T) { public async Task<int> M() { await T; return T.Result; } }",
        "class C { async Task<int> M<T>(Task<T> t) where T : struct { await t; return t.Result.GetHashCode(); } }",
        "class C { async Task<int> M(object o) => o switch { Task<int> { IsCompleted: true } t => t.Result, Task<int> u => [|u.Result|], _ => 0 }; }",
        "class C : IAsyncDisposable { public ValueTask DisposeAsync() => default; async Task<int> M(Task<int> t) { await using var c = new C(); await using (var d = new C()) { } return [|t.Result|]; } }",
        "partial class C { partial void P(); async Task<int> M(Task<int>[] ts) { await Task.WhenAll(ts); return ts[0].Result + ts.Sum(x => x.Result) + ts.Where(x => x != null).First().Result; } }",
        "class C { async Task<int> M(Task<int> t) { L1: if (!t.IsCompleted) { await Task.Delay(1); goto L1; } return t.Result; } }",
        "class C { async Task<int> M(Task<int>? t) { await Task.Yield(); return t?.IsCompleted == true ? t.Result : 0; } }",
        "class C { async Task<int> M((Task<int> A, Task<int> B) p) { await p.A; return p.A.Result + [|p.B.Result|]; } }",
        "class C { async Task<int> M(Task<int>? t) { await Task.Yield(); switch (t?.Status) { case TaskStatus.RanToCompletion: return t.Result; case null: return 0; default: return [|t.Result|]; } } }",
        "class C { async Task<int> M(object o) { await Task.Yield(); switch (o) { case Task<int> { IsCompleted: true } x when x.Id > 0: return x.Result; case Task<int> y: return [|y.Result|]; default: return 0; } } }",
        "class C { async Task<int> M(Task<int> t, IAsyncEnumerable<int> xs) { await foreach (var x in xs) { if (x > 0) await t; } checked { return [|t.Result|]; } } }",
        "class C { async Task<int> M(Task<int> t) { var (a, b) = (1, 2); try { await t; } catch when (a > b) { } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await Task.WhenAny([t, u]); var d = Task.Delay(1); if (await Task.WhenAny([t, d]) == d) return 0; return t.Result; } }",
    ];

    public static TheoryData<string> Brg2003CorrectMore =>
    [
        "class C { async Task<int> M(Task<int> t) { var delay = Task.Delay(1000); if (await Task.WhenAny(new[] { t, delay }) == delay) throw new TimeoutException(); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { var delay = Task.Delay(1000); if (delay == await Task.WhenAny(t, delay).ConfigureAwait(false)) throw new TimeoutException(); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { if (t.Status != TaskStatus.RanToCompletion) await t; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { if (b) { await t; } else { throw new InvalidOperationException(); } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { using (var s = new MemoryStream()) { await t; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { try { await t; } finally { Console.WriteLine(); } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { for (;;) { await t; break; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, CancellationToken ct) { try { await t.WaitAsync(ct); } catch (OperationCanceledException) { return -1; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { try { await t.WaitAsync(TimeSpan.FromSeconds(1)); } catch (IOException) { } return t.Result; } }",
        "class C { Task<int> _t = Task.FromResult(1); async Task<int> M() { if (_t?.IsCompleted ?? false) return _t.Result; return await _t; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.Status is TaskStatus.RanToCompletion or TaskStatus.Faulted ? t.Result : 0; } }",
        // The awaiter pattern.
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); var awaiter = t.GetAwaiter(); if (awaiter.IsCompleted) return awaiter.GetResult(); return await t; } }",
        "class C { Task<int> M(Task<int> t) => Task.Run(() => { var awaiter = t.ConfigureAwait(false).GetAwaiter(); if (!awaiter.IsCompleted) return -1; return awaiter.GetResult(); }); }",
        // Every element awaited in a foreach.
        "class C { async Task<int> M(List<Task<int>> tasks) { foreach (var t in tasks) await t; return tasks.Sum(t => t.Result) + tasks[0].Result; } }",
        "class C { async Task<int> M(TaskCompletionSource<int>[] sources) { foreach (var s in sources) { await s.Task.ConfigureAwait(false); } var n = 0; foreach (var s in sources) n += s.Task.Result; return n; } }",
        "class C { async Task<int> M(Dictionary<string, Task<int>> map) { foreach (var kv in map) await kv.Value; return map[\"a\"].Result; } }",
        // A stored WhenAll raced against a delay.
        "class C { async Task<int> M(Task<int> a, Task<int> b) { var all = Task.WhenAll(a, b); if (await Task.WhenAny(all, Task.Delay(5000)) != all) throw new TimeoutException(); return a.Result + b.Result; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b) { var all = Task.WhenAll(a, b); return await Task.WhenAny(all, Task.Delay(5000)) == all ? a.Result + b.Result : -1; } }",
        // Both branches await it.
        "class C { async Task<int> M(Task<int> t, bool slow) { if (slow) await t.WaitAsync(TimeSpan.FromSeconds(1)); else await t; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, bool slow) { if (slow) { Console.WriteLine(); await t.ConfigureAwait(false); } else { using (new MemoryStream()) { await t; } } return t.Result; } }",
    ];

    public static TheoryData<string> Brg2003BuggyMore =>
    [
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.Status is TaskStatus.RanToCompletion or TaskStatus.Running ? [|t.Result|] : 0; } }",
        "class C { async Task<int> M(Task<int>? t) { await Task.Yield(); return t?.IsCompleted != false ? [|t!.Result|] : 0; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { var x = b ? await t : 0; return x + [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int n) { switch (n) { case 1: await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { async Task<int> N() => [|t.Result|]; var r = await N(); await t; return r; } }",
        "class C { async Task<int> M(Task<int>? t) { await (t ?? Task.FromResult(0)); return [|t!.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool a, bool b) { if (a) await t; else { if (b) await t; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u, bool a) { if (a) await t; else await u; return [|t.Result|]; } }",
        "class C { async Task<int> M(List<Task<int>> tasks) { foreach (var t in tasks) { if (t.Id == 1) continue; await t; } return [|tasks[0].Result|]; } }",
        "class C { async Task<int> M(List<Task<int>> tasks) { foreach (var t in tasks) { if (t.Id == 1) await t; } return [|tasks[0].Result|]; } }",
        "class C { async Task<int> M(List<Task<int>> tasks, List<Task<int>> others) { foreach (var t in tasks) await t; return [|others[0].Result|]; } }",
        "class C { async Task<int> M(List<Task<int>> tasks) { foreach (var t in tasks) { try { await t.WaitAsync(TimeSpan.FromSeconds(1)); } catch (TimeoutException) { } } return [|tasks[0].Result|]; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); var awaiter = t.GetAwaiter(); return [|awaiter.GetResult()|]; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await Task.Yield(); var awaiter = t.GetAwaiter(); if (u.IsCompleted) return [|awaiter.GetResult()|]; return 0; } }",
        "class C { async Task<int> M(Task<int> a, Task<int> b, Task<int> c) { var all = Task.WhenAll(a, b); if (await Task.WhenAny(all, Task.Delay(5000)) != all) throw new TimeoutException(); return [|c.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Brg2003CorrectMore))]
    public Task BRG2003_correct_more(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2003BuggyMore))]
    public Task BRG2003_buggy_more(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2003Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2003Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2003OddSyntax))]
    public Task BRG2003_odd(string source) => V2003.AnalyzerAsync(source);

    public static TheoryData<string> Brg2001Correct =>
    [
        // Upgradeable read against read does not wait.
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new();
          void M1() { _rw.EnterUpgradeableReadLock(); try { lock (_a) { } } finally { _rw.ExitUpgradeableReadLock(); } }
          void M2() { lock (_a) { _rw.EnterReadLock(); _rw.ExitReadLock(); } } }
        """,
        // A helper of a helper.
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          void A() { _gate.Wait(); try { _x++; } finally { Exit(); } lock (_log) { _x++; } }
          void Exit() => ExitCore();
          void ExitCore() => _gate.Release();
          void B() { lock (_log) { _gate.Wait(); _gate.Release(); } } }
        """,
        // A release helper after many other calls.
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          void A() { _gate.Wait(); try { F(); F(); F(); F(); F(); F(); F(); F(); F(); F(); } finally { Exit(); } lock (_log) { _x++; } }
          void F() => _x++;
          void Exit() => _gate.Release();
          void B() { lock (_log) { _gate.Wait(); _gate.Release(); } } }
        """,
        // A release followed by a yield return is not an early release.
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          IEnumerable<int> A() { _gate.Wait(); var x = _x; _gate.Release(); yield return x; lock (_log) { _x++; } }
          void B() { lock (_log) { _gate.Wait(); _gate.Release(); } } }
        """,
        // An async release helper, awaited.
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          async Task A() { await _gate.WaitAsync(); try { _x++; } finally { await ExitAsync().ConfigureAwait(false); } lock (_log) { _x++; } }
          async Task ExitAsync() { await Task.Yield(); _gate.Release(); }
          void B() { lock (_log) { _gate.Wait(); _gate.Release(); } } }
        """,
        // Upgrade inside an upgradeable lock.
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); int _x;
          void M1() { _rw.EnterUpgradeableReadLock(); try { _rw.EnterWriteLock(); _x++; _rw.ExitWriteLock(); } finally { _rw.ExitUpgradeableReadLock(); } } }
        """,
    ];

    public static TheoryData<string> Brg2001Buggy =>
    [
        // Upgradeable against upgradeable, and against write.
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new();
          void M1() { _rw.EnterUpgradeableReadLock(); try { lock ([|_a|]) { } } finally { _rw.ExitUpgradeableReadLock(); } }
          void M2() { lock (_a) { [|_rw.EnterUpgradeableReadLock()|]; _rw.ExitUpgradeableReadLock(); } } }
        """,
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new();
          void M1() { _rw.EnterUpgradeableReadLock(); try { lock ([|_a|]) { } } finally { _rw.ExitUpgradeableReadLock(); } }
          void M2() { lock (_a) { [|_rw.EnterWriteLock()|]; _rw.ExitWriteLock(); } } }
        """,
        """
        class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new();
          void M1() { _rw.EnterReadLock(); try { lock ([|_a|]) { } } finally { _rw.ExitReadLock(); } }
          void M2() { lock (_a) { [|_rw.EnterWriteLock()|]; _rw.ExitWriteLock(); } } }
        """,
        // A helper that calls something that takes the lock again is not a release helper.
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          void A() { _gate.Wait(); Cycle(); lock ([|_log|]) { _x++; } _gate.Release(); }
          void Cycle() { Exit(); Take(); }
          void Exit() => _gate.Release();
          void Take() => _gate.Wait();
          void B() { lock (_log) { [|_gate.Wait()|]; _gate.Release(); } } }
        """,
    ];

    // Odd syntax for BRG2001: no analyzer exception, and the inversion still found through it.
    public static TheoryData<string> Brg2001OddSyntax =>
    [
        """
        record R { readonly object _a = new(), _b = new(); int _x;
          void M1() { lock (_a) { [|Local()|]; void Local() { lock (_b) { _x++; } } [|Local()|]; } }
          void M2() { Action f = () => { lock (_b) { lock ([|_a|]) { _x++; } } }; f(); } }
        """,
        """
        partial class C { readonly ReaderWriterLockSlim _rw = new(); readonly object _a = new(); int _x;
          partial void P();
          T G<T>(T v) { _rw.EnterUpgradeableReadLock(); try { lock ([|_a|]) { return v; } } finally { _rw.ExitUpgradeableReadLock(); } }
          int S(object o) => o switch { int i when i > 0 => Locked(i), _ => 0 };
          int Locked(int i) { lock (_a) { [|_rw.EnterWriteLock()|]; try { return i; } finally { _rw.ExitWriteLock(); } } }
          async Task A() { await using var d = new D(); _rw.EnterReadLock(); Exit(); _x++; }
          void Exit() { if (_rw.IsReadLockHeld) Exit(); else _rw.ExitReadLock(); } }
        class D : IAsyncDisposable { public ValueTask DisposeAsync() => default; }
        """,
        """
        class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x;
          void A() { _gate.Wait(); Ping(); lock ([|_log|]) { _x++; } _gate.Release(); }
          void Ping() => Pong();
          void Pong() { if (_x > 10) Ping(); }
          void B() { lock (_log) { [|_gate.Wait()|]; _gate.Release(); } } }
        """,
    ];

    [Theory]
    [MemberData(nameof(Brg2001OddSyntax))]
    public Task BRG2001_odd(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2001Correct))]
    public Task BRG2001_correct(string source) => V2001.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Brg2001Buggy))]
    public Task BRG2001_buggy(string source) => V2001.AnalyzerAsync(source);

    // A large method: a task reassigned and awaited many times, then read many times. Each read must not rescan every
    // earlier completion and assignment (it was cubic in the method's size).
    [Fact]
    public Task BRG2003_large_method_stays_fast()
    {
        var body = new System.Text.StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            body.Append("t = f(); await t; ");
        }

        for (var i = 0; i < 2000; i++)
        {
            body.Append("s += t.Result; ");
        }

        return V2003.AnalyzerAsync("class C { async Task<int> M(Func<Task<int>> f) { var t = f(); var s = 0; " + body + "return s; } }");
    }

    // Deeply nested branches, each awaiting the task in one arm: each await asks of the other arms around it.
    [Fact]
    public Task BRG2003_nested_branches_stay_fast()
    {
        static string Nest(int depth) => depth == 0
            ? "{ await t; s++; }"
            : "{ if (s > " + depth + ") " + Nest(depth - 1) + " else " + Nest(depth - 1) + " s++; }";

        return V2003.AnalyzerAsync("class C { async Task<int> M(Task<int> t) { var s = 0; " + Nest(10) + " return s + t.Result; } }");
    }

    // A large method: a lock held across many calls, then released by a helper.
    [Fact]
    public Task BRG2001_large_method_stays_fast()
    {
        var body = new System.Text.StringBuilder();
        for (var i = 0; i < 2000; i++)
        {
            body.Append("F(); ");
        }

        return V2001.AnalyzerAsync(
            "class C { readonly SemaphoreSlim _gate = new(1, 1); readonly object _log = new(); int _x; void F() => _x++; void Exit() => _gate.Release();\n" +
            "void A() { _gate.Wait(); try { " + body + "} finally { Exit(); } lock (_log) { _x++; } }\n" +
            "void B() { lock (_log) { _gate.Wait(); _gate.Release(); } } }");
    }
}
