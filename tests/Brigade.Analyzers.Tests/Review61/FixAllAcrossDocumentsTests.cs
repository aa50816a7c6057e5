using Brigade.Analyzers.CodeFixes;

namespace Brigade.Analyzers.Tests.Review61;

// Review 61: a code fix test checks Fix All only where its source has two fixes or more, in document scope
// (Verify.CodeFixAsync); the project and solution scopes are checked once per fix, across two documents. BRG2003, BRG2004
// and BRG2008 had such a test; these are BRG2002's, BRG2005's and BRG2006's.
public sealed class FixAllAcrossDocumentsTests
{
    [Fact]
    public Task BRG2002_Fix_All_fixes_every_document() => Infrastructure.Verify<BRG2002LostUpdateAnalyzer>.FixAllAsync<BRG2002InterlockedCodeFix>(
        [
            "class C { void M(int[] items) { int count = 0; Parallel.ForEach(items, x => { [|count++|]; }); } }",
            "class D { void N(int[] items) { long sum = 0; Parallel.ForEach(items, x => { [|sum += x|]; }); } }",
        ],
        [
            "class C { void M(int[] items) { int count = 0; Parallel.ForEach(items, x => { Interlocked.Increment(ref count); }); } }",
            "class D { void N(int[] items) { long sum = 0; Parallel.ForEach(items, x => { Interlocked.Add(ref sum, x); }); } }",
        ]);

    [Fact]
    public Task BRG2005_Fix_All_fixes_every_document() => Infrastructure.Verify<BRG2005LockHeldAcrossAwaitAnalyzer>.FixAllAsync<BRG2005AcquireAsyncCodeFix>(
        [
            "class C { readonly DetectingLock l = new(\"l\"); async Task M() { using ([|l.Acquire()|]) { await Task.Delay(1); } } }",
            "class D { readonly DetectingReaderWriterLock rw = new(\"rw\"); async Task N() { using var s = [|rw.AcquireWrite()|]; await Task.Delay(1); } }",
        ],
        [
            "class C { readonly DetectingLock l = new(\"l\"); async Task M() { using (await l.AcquireAsync()) { await Task.Delay(1); } } }",
            "class D { readonly DetectingReaderWriterLock rw = new(\"rw\"); async Task N() { using var s = await rw.AcquireWriteAsync(); await Task.Delay(1); } }",
        ]);

    [Fact]
    public Task BRG2006_Fix_All_fixes_every_document() => Infrastructure.Verify<BRG2006SharedAcrossAwaitAnalyzer>.FixAllAsync<BRG2006EnterFlowCodeFix>(
        [
            "class C { readonly Shared<int> _s = new(\"s\"); async Task M() { _s.Write(1); await Task.Yield(); [|_s.Write(2)|]; } }",
            "class D { readonly Shared<int> _t = new(\"t\"); async Task N() { _t.Increment(); await Task.Yield(); [|_t.Increment()|]; } }",
        ],
        [
            "class C { readonly Shared<int> _s = new(\"s\"); async Task M() { RaceDetector.EnterFlow(); _s.Write(1); await Task.Yield(); _s.Write(2); } }",
            "class D { readonly Shared<int> _t = new(\"t\"); async Task N() { RaceDetector.EnterFlow(); _t.Increment(); await Task.Yield(); _t.Increment(); } }",
        ]);
}
