using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review34;

// Review 34: a switch on the task's completion flag guards its `true` case as `if (t.IsCompleted)` does (a switch on the
// task itself, `case { IsCompleted: true }:`, already did).
public sealed class SwitchOnFlagTests
{
    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); switch (t.IsCompleted) { case true: return t.Result; default: return -1; } } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.IsCompleted switch { true => t.Result, false => -1 }; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.IsCompletedSuccessfully switch { true => t.Result, _ => -1 }; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); switch (!t.IsCompleted) { case false: return t.Result; default: return -1; } } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); switch (t.IsCompleted) { case false: return [|t.Result|]; default: return -1; } } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t.IsFaulted switch { false => [|t.Result|], true => -1 }; } }",
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await Task.Yield(); return u.IsCompleted switch { true => [|t.Result|], false => -1 }; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);
}
