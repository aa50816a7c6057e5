using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review34;

// Review 34: an await in the body of a loop that always runs its body (while (true), for (;;), do ... while) completes the
// task after the loop only when every way out of the loop comes after it: a break before the await (or a continue of a
// do ... while, which goes to its condition) leaves without it.
public sealed class LoopExitShapesTests
{
    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t) { while (true) { await t; break; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { while (true) { if (b) continue; await t; break; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { for (;;) { await t; if (b) break; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { do { await t; } while (b); return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, int[] a) { while (true) { foreach (var x in a) { if (x > 0) break; } await t; break; } return t.Result; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        "class C { async Task<int> M(Task<int> t, bool b) { while (true) { if (b) break; await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { for (;;) { if (b) break; await t; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { do { if (b) break; await t; } while (b); return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, bool b) { do { if (b) continue; await t; } while (b); return [|t.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);
}
