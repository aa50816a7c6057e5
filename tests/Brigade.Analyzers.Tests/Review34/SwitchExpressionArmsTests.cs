using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review34;

// Review 34: 7875f51 taught BRG2003 that a switch statement whose every section awaits the task completes it; a switch
// expression whose every arm awaits it (or throws) does too: no arm matching throws.
public sealed class SwitchExpressionArmsTests
{
    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t, int k) { var r = k switch { 1 => await t, _ => await t }; return t.Result + r; } }",
        "class C { async Task<int> M(Task<int> t, int k) { var r = k switch { 1 => await t.ConfigureAwait(false), 2 => throw new InvalidOperationException(), _ => await t }; return t.Result + r; } }",
        "class C { async Task<int> M(Task<int> t, int k) { var r = k switch { 1 => 1 + await t, _ => await t - 1 }; return t.Result + r; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        "class C { async Task<int> M(Task<int> t, int k) { var r = k switch { 1 => await t, _ => 2 }; return [|t.Result|] + r; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { var r = k switch { 1 => b ? await t : 0, _ => await t }; return [|t.Result|] + r; } }",
        "class C { async Task<int> M(Task<int> t, int k) { var r = k switch { 1 when await t > 0 => 1, _ => 2 }; return [|t.Result|] + r; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { var r = k switch { 1 => await t, _ when b => await t, _ => 0 }; return [|t.Result|] + r; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);
}
