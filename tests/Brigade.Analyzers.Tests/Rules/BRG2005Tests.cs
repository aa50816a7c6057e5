using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2005LockHeldAcrossAwaitAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

public sealed class BRG2005Tests
{
    private const string Prelude = """
        sealed class D : IAsyncDisposable { public ValueTask DisposeAsync() => ValueTask.CompletedTask; }
        class C
        {
            readonly DetectingLock l = new("l");
            readonly DetectingReaderWriterLock rw = new("rw");
            readonly DetectingSemaphore sem = new(2, "sem");
            readonly Lock gate = new();
            int x;
            static async IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "async Task M() { using ([|l.Acquire()|]) { await Task.Delay(1); } } }",
        Prelude + "async Task M() { using var s = [|l.Acquire()|]; await Task.Delay(1); } }",
        Prelude + "async Task M() { var s = [|l.Acquire()|]; try { await Task.Delay(1); } finally { s.Dispose(); } } }",
        Prelude + "async Task M() { using ([|rw.AcquireWrite()|]) { await Task.Delay(1); } } }",
        Prelude + "async Task M() { using ([|rw.AcquireRead()|]) { await Task.Delay(1); } } }",
        Prelude + "async Task M() { using ([|sem.Acquire()|]) { await Task.Delay(1); } } }",
        Prelude + "async Task M() { using var s = [|l.TryAcquire(TimeSpan.FromSeconds(1))|]; if (s.IsAcquired) { await Task.Delay(1); } } }",
        Prelude + "async Task M() { using ([|l.Acquire()|]) { await foreach (var i in Items()) { x += i; } } } }",
        Prelude + "void M() { Func<Task> f = async () => { using ([|l.Acquire()|]) { await Task.Yield(); } }; } }",
        Prelude + "async Task M() { async Task Local() { using ([|l.Acquire()|]) { await Task.Yield(); } } await Local(); } }",
        Prelude + "async Task M(bool b) { using ([|l.Acquire()|]) { x++; if (b) { x++; await Task.Delay(1); } } } }",
        Prelude + "async Task M() { using ([|l.Acquire()|]) { await using var d = new D(); } } }",
        Prelude + "async Task M(CancellationToken ct) { using (var scope = [|l.Acquire(ct)|]) { await Task.Delay(1, ct); } } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "async Task M() { using (await l.AcquireAsync()) { await Task.Delay(1); } } }",
        Prelude + "void M() { using (l.Acquire()) { Thread.Sleep(1); } } }",
        Prelude + "async Task M() { using (l.Acquire()) { x++; } await Task.Delay(1); } }",
        Prelude + "async Task M() { { using var s = l.Acquire(); x++; } await Task.Delay(1); } }",
        Prelude + "async Task M() { var s = l.Acquire(); try { x++; } finally { s.Dispose(); } await Task.Delay(1); } }",
        Prelude + "async Task M() { using (l.Acquire()) { Func<Task> f = async () => await Task.Delay(1); } await Task.Yield(); } }",
        Prelude + "async Task M() { using (await rw.AcquireReadAsync()) { await Task.Delay(1); } } }",
        Prelude + "async Task M() { using (await sem.AcquireAsync()) { await Task.Delay(1); } } }",
        Prelude + "async Task M(SemaphoreSlim s) { await s.WaitAsync(); try { await Task.Delay(1); } finally { s.Release(); } } }",
        Prelude + "async Task M() { using var s = await l.TryAcquireAsync(TimeSpan.FromSeconds(1)); await Task.Delay(1); } }",
        Prelude + "async Task M() { lock (gate) { x++; } await Task.Delay(1); } }",
        Prelude + "async Task M() { using var s = await rw.AcquireWriteAsync(); await Task.Delay(1); } }",
        Prelude + "Task M() { using (l.Acquire()) { x++; return Task.Delay(1); } } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_blocking_acquisitions_held_across_await(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_asynchronous_acquisitions_and_locks_released_before_await_alone(string source) => Verifier.AnalyzerAsync(source);

    [Fact]
    public Task Message_names_the_call_the_await_line_and_the_replacement() => Verifier.AnalyzerAsync(
        Prelude + "async Task M()\n{\n    using ({|#0:l.Acquire()|})\n    {\n        await Task.Delay(1);\n    }\n} }",
        Verifier.Diagnostic().WithLocation(0).WithArguments("DetectingLock.Acquire", 24, "AcquireAsync"));

    [Fact]
    public Task Fix_acquires_asynchronously_in_a_using_statement() => Verifier.CodeFixAsync<BRG2005AcquireAsyncCodeFix>(
        Prelude + "async Task M(CancellationToken ct) { using ([|l.Acquire(ct)|]) { await Task.Delay(1, ct); } } }",
        Prelude + "async Task M(CancellationToken ct) { using (await l.AcquireAsync(ct)) { await Task.Delay(1, ct); } } }");

    [Fact]
    public Task Fix_acquires_asynchronously_in_a_using_declaration() => Verifier.CodeFixAsync<BRG2005AcquireAsyncCodeFix>(
        Prelude + "async Task M() { using var s = [|rw.AcquireWrite()|]; await Task.Delay(1); } }",
        Prelude + "async Task M() { using var s = await rw.AcquireWriteAsync(); await Task.Delay(1); } }");
}
