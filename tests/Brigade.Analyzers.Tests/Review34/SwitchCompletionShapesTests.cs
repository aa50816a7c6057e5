using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review34;

// Review 34: BRG2003's "every section of a switch with a default awaits the task" (7875f51) against real-world shapes.
// A path that leaves the switch without the await must keep the result after it flagged (a break in the other branch of
// an if around the await, a goto out of the switch); breaks of a nested switch or loop do not leave the outer switch.
public sealed class SwitchCompletionShapesTests
{
    public static TheoryData<string> Correct =>
    [
        // A nested switch's breaks leave the nested switch only.
        "class C { async Task<int> M(Task<int> t, int k, int j) { switch (k) { case 1: switch (j) { case 0: j++; break; default: j--; break; } await t; break; default: await t; break; } return t.Result; } }",
        // A loop's break before the await leaves the loop only.
        "class C { async Task<int> M(Task<int> t, int k, int[] a) { switch (k) { case 1: foreach (var x in a) { if (x == k) break; } await t; break; default: await t; break; } return t.Result; } }",
        // goto case to a section that awaits.
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: if (b) goto case 2; await t; break; case 2: await t; break; default: await t; break; } return t.Result; } }",
        // A section that only jumps to another one.
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: await t; break; case 2: goto case 1; default: await t; break; } return t.Result; } }",
        // try/finally around the await in a section.
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: try { await t; } finally { k++; } break; default: await t; break; } return t.Result; } }",
        // An early break after an await in the same section.
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: if (b) { await t; break; } await t; break; default: await t; break; } return t.Result; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // The other branch of the if around the await breaks out of the switch.
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: if (b) break; else await t; break; default: await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: if (!b) await t; else break; break; default: await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: await t; break; default: if (b) { break; } else { await t; } break; } return [|t.Result|]; } }",
        // A goto out of the switch before the await.
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: if (b) goto after; await t; break; default: await t; break; } after: return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: await t; break; default: if (b) goto after; await t; break; } after: return [|t.Result|]; } }",
        // A wait that may give up, its timeout swallowed, in a section.
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: try { await t.WaitAsync(TimeSpan.FromSeconds(1)); } catch (TimeoutException) { } break; default: await t; break; } return [|t.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);
}
