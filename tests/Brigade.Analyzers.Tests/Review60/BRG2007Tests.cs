using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2007ThreadAffineLockAcrossAwaitAnalyzer>;

namespace Brigade.Analyzers.Tests.Review60;

// Review 60: a thread-affine lock held across an await. The compiler refuses `lock (o) { await ... }` (CS1996) but not
// Monitor.Enter(o) ... await ... Monitor.Exit(o): after the await the method may resume on another thread, whose Exit
// throws SynchronizationLockException (ReleaseMutex: ApplicationException) and leaves the lock held by the first thread.
public sealed class BRG2007Tests
{
    private const string Prelude = """
        sealed class ReadScope(ReaderWriterLockSlim rw) : IDisposable { public void Dispose() => rw.ExitReadLock(); }
        sealed class MonitorScope : IDisposable
        {
            private readonly object _gate;
            public MonitorScope(object gate) { _gate = gate; Monitor.Enter(gate); }
            public void Dispose() => Monitor.Exit(_gate);
        }
        sealed class Releaser(SemaphoreSlim s) : IDisposable { public void Dispose() => s.Release(); }
        class C
        {
            readonly object _sync = new();
            readonly Mutex _mutex = new();
            readonly ReaderWriterLockSlim _rw = new();
            readonly Lock _gate = new();
            readonly SemaphoreSlim _semaphore = new(1, 1);
            SpinLock _spin = new(true);
            int x;
            static Task SaveAsync() => Task.Delay(1);
            static async IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "async Task M() { Monitor.Enter(_sync); try { [|await SaveAsync()|]; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { var taken = false; try { Monitor.Enter(_sync, ref taken); x++; [|await SaveAsync()|]; } finally { if (taken) Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { Monitor.Enter(_sync); x++; [|await SaveAsync()|]; Monitor.Exit(_sync); } }",
        Prelude + "async Task M() { if (Monitor.TryEnter(_sync, 100)) { try { [|await SaveAsync()|]; } finally { Monitor.Exit(_sync); } } } }",
        Prelude + "async Task M() { _mutex.WaitOne(); try { [|await SaveAsync()|]; } finally { _mutex.ReleaseMutex(); } } }",
        Prelude + "async Task M() { if (!_mutex.WaitOne(0)) return; try { [|await SaveAsync()|]; } finally { _mutex.ReleaseMutex(); } } }",
        Prelude + "async Task M() { _rw.EnterWriteLock(); try { [|await SaveAsync()|]; } finally { _rw.ExitWriteLock(); } } }",
        Prelude + "async Task M() { _rw.EnterReadLock(); try { x++; } finally { _rw.ExitReadLock(); } _rw.EnterUpgradeableReadLock(); [|await SaveAsync()|]; _rw.ExitUpgradeableReadLock(); } }",
        Prelude + "async Task M() { var taken = false; _spin.Enter(ref taken); [|await Task.Yield()|]; if (taken) _spin.Exit(); } }",
        Prelude + "async Task M() { _gate.Enter(); try { [|await SaveAsync()|]; } finally { _gate.Exit(); } } }",
        Prelude + "async Task M() { Monitor.Enter(_sync); try { [|await|] foreach (var i in Items()) { x += i; } } finally { Monitor.Exit(_sync); } } }",
        Prelude + "void M() { Func<Task> f = async () => { Monitor.Enter(_sync); [|await SaveAsync()|]; Monitor.Exit(_sync); }; } }",
        Prelude + "async Task M() { using (new ReadScope(_rw)) { [|await SaveAsync()|]; } } }",
        Prelude + "async Task M() { using var scope = new MonitorScope(_sync); x++; [|await SaveAsync()|]; } }",
        Prelude + "async Task M(bool b) { Monitor.Enter(_sync); if (b) { Monitor.Exit(_sync); return; } [|await SaveAsync()|]; Monitor.Exit(_sync); } }",
        Prelude + "async Task M(object other) { Monitor.Enter(other); try { [|await SaveAsync().ConfigureAwait(false)|]; } finally { Monitor.Exit(other); } } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { Monitor.Enter(_sync); try { x++; } finally { Monitor.Exit(_sync); } await SaveAsync(); } }",
        Prelude + "async Task M() { lock (_sync) { x++; } await SaveAsync(); } }",
        Prelude + "async Task M() { await _semaphore.WaitAsync(); try { await SaveAsync(); } finally { _semaphore.Release(); } } }",
        Prelude + "async Task M() { _semaphore.Wait(); try { await SaveAsync(); } finally { _semaphore.Release(); } } }",
        Prelude + "void M() { Monitor.Enter(_sync); try { SaveAsync().Wait(); } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { if (Monitor.TryEnter(_sync)) { try { x++; } finally { Monitor.Exit(_sync); } } else { await SaveAsync(); } } }",
        Prelude + "async Task M() { while (!Monitor.TryEnter(_sync)) { await Task.Delay(10); } try { x++; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { var taken = Monitor.TryEnter(_sync); if (!taken) { await Task.Delay(10); return; } try { x++; } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { Monitor.Enter(_sync); try { Func<Task> later = async () => await SaveAsync(); x++; } finally { Monitor.Exit(_sync); } await SaveAsync(); } }",
        Prelude + "async Task M() { _rw.EnterReadLock(); try { x++; } finally { _rw.ExitReadLock(); } await SaveAsync(); } }",
        Prelude + "async Task M() { using (new Releaser(_semaphore)) { await SaveAsync(); } } }",
        Prelude + "async Task M() { using (new ReadScope(_rw)) { x++; } await SaveAsync(); } }",
        Prelude + "async Task M() { _mutex.WaitOne(); _mutex.ReleaseMutex(); await SaveAsync(); } }",
        Prelude + "async Task M() { await SaveAsync(); Monitor.Enter(_sync); x++; Monitor.Exit(_sync); } }",
        Prelude + "Task M() { Monitor.Enter(_sync); try { return SaveAsync(); } finally { Monitor.Exit(_sync); } } }",
        Prelude + "async Task M() { var taken = false; try { _spin.Enter(ref taken); x++; } finally { if (taken) _spin.Exit(); } await Task.Yield(); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_the_first_await_while_a_thread_affine_lock_is_held(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_locks_released_before_the_await_and_locks_of_no_thread_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_names_the_lock_where_it_was_taken_and_what_the_release_throws() => Verifier.AnalyzerAsync(
        Prelude + "async Task M()\n{\n    {|#1:Monitor.Enter(_sync)|};\n    try { {|#0:await SaveAsync()|}; } finally { Monitor.Exit(_sync); }\n} }",
        Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_sync", "Monitor.Enter", "Test0.cs:32", "Monitor.Exit", "SynchronizationLockException"));

    [Fact]
    public Task Message_of_a_mutex_names_ApplicationException() => Verifier.AnalyzerAsync(
        Prelude + "async Task M() { {|#1:_mutex.WaitOne()|}; {|#0:await SaveAsync()|}; _mutex.ReleaseMutex(); } }",
        Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("_mutex", "Mutex.WaitOne", "Test0.cs:30", "Mutex.ReleaseMutex", "ApplicationException"));

    [Fact]
    public Task Message_of_a_using_names_the_type_whose_Dispose_releases() => Verifier.AnalyzerAsync(
        Prelude + "async Task M() { using ({|#1:new ReadScope(_rw)|}) { {|#0:await SaveAsync()|}; } } }",
        Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("rw", "a using of ReadScope", "Test0.cs:30", "ReadScope.Dispose (ExitReadLock)", "SynchronizationLockException"));
}
