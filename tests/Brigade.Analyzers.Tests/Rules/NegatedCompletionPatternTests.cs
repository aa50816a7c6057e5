using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Rules;

// BRG2003 and two completion idioms review 32b left: a switch whose every section awaits the task, and a property
// pattern that fails: `t is not { IsCompleted: false }` says t is complete (or null, where
// reading its result throws anyway) when its only subpattern is a completion flag compared with false (review 32b left).
public sealed class NegatedCompletionPatternTests
{
    public static TheoryData<string> Correct =>
    [
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); if (t is not { IsCompleted: false }) return t.Result; return -1; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t is not { IsCompleted: false } ? t.Result : -1; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); if (t is { IsCompleted: false }) return -1; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); if (t is { IsCompletedSuccessfully: false }) return -1; return t.Result; } }",
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); return t is { IsFaulted: false } ? -1 : t.Result; } }",
        // Every section of a switch with a default awaits the task (or leaves): complete after the switch.
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: await t; break; case 2: await t.ConfigureAwait(false); break; default: await t; break; } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: await t; break; case 2: return -1; default: throw new InvalidOperationException(); } return t.Result; } }",
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: case 3: { await t; break; } default: await t; break; } return t.Result; } }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // Failing { IsCompleted: true } says the task is not complete.
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); if (t is not { IsCompleted: true }) return [|t.Result|]; return -1; } }",
        // With a second subpattern, the match may fail on it alone.
        "class C { async Task<int> M(Task<int> t) { await Task.Yield(); if (t is not { IsCompleted: false, Id: > 0 }) return [|t.Result|]; return -1; } }",
        // Another task's flag.
        "class C { async Task<int> M(Task<int> t, Task<int> u) { await Task.Yield(); if (u is not { IsCompleted: false }) return [|t.Result|]; return -1; } }",
        // A switch without a default section, a section that does not await, or a break before the await.
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: await t; break; case 2: await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k) { switch (k) { case 1: await t; break; default: break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: if (b) break; await t; break; default: await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: await t; break; default: if (b) break; await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: { if (b) break; await t; break; } default: await t; break; } return [|t.Result|]; } }",
        "class C { async Task<int> M(Task<int> t, int k, bool b) { switch (k) { case 1: await t; break; default: { if (b) break; await t; break; } } return [|t.Result|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);
}
