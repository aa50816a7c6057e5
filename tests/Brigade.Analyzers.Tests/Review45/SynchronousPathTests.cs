using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review45;

// Review 45: Npgsql serves its synchronous and asynchronous APIs with one async method and a flag, as the BCL and the
// Azure SDK do: `if (async) await _sendTask.ConfigureAwait(false); else _sendTask.GetAwaiter().GetResult();`. The
// blocking branch is the synchronous API's path, run on its caller's thread: BRG2003 reported 9 of them in Npgsql.
public sealed class SynchronousPathTests
{
    public static TheoryData<string> Correct =>
    [
        "class C { async Task M(Task t, bool async) { if (async) await t; else t.Wait(); } }",
        "class C { async Task M(Task t, bool async) { if (async) await t.ConfigureAwait(false); else t.GetAwaiter().GetResult(); } }",
        "class C { async Task<int> M(Task<int> t, bool async) => async ? await t : t.GetAwaiter().GetResult(); }",
        "class C { async Task<bool> M(SemaphoreSlim s, bool async) { var taken = async ? await s.WaitAsync(10).ConfigureAwait(false) : s.Wait(10); return taken; } }",
        "class C { async Task M(Task t, bool async) { if (!async) t.Wait(); else await t; } }",
        "class C { async Task M(SemaphoreSlim s, bool async) { if (async) { await s.WaitAsync(); } else { s.Wait(); } s.Release(); } }",
        "class C { async Task M(bool async) { if (async) await Task.Delay(10); else { Console.WriteLine(); Thread.Sleep(10); } } }",
        // in a local function, on the flag of the method around it
        "class C { Task M(Task t, bool async) { return Core(); async Task Core() { if (async) await t; else t.Wait(); } } }",
        // in an async lambda, on its own flag
        "class C { Func<Task, bool, Task> F = async (t, run) => { if (run) await t; else t.Wait(); }; }",
    ];

    public static TheoryData<string> Buggy =>
    [
        // the flag is not a parameter
        "class C { bool _async; async Task M(Task t) { if (_async) await t; else [|t.Wait()|]; } }",
        "class C { async Task M(Task t) { var flag = t.Id > 0; if (flag) await t; else [|t.Wait()|]; } }",
        // the other branch does not await
        "class C { async Task M(Task t, bool fast) { await Task.Yield(); if (fast) Console.WriteLine(); else [|t.Wait()|]; } }",
        "class C { async Task M(Task t, bool fast) { await Task.Yield(); if (!fast) [|t.Wait()|]; } }",
        // blocking in the awaiting branch, or after the choice
        "class C { async Task M(Task t, bool async) { if (async) { await Task.Yield(); [|t.Wait()|]; } } }",
        "class C { async Task M(Task t, bool async) { if (async) await Task.Yield(); [|Thread.Sleep(10)|]; } }",
        "class C { async Task<int> M(Task<int> t, bool async) => !async ? await t : [|t.Result|]; }",
        // in a lambda given to the pool from the synchronous branch: that lambda runs on the pool
        "class C { async Task M(Task t, bool async) { if (async) await t; else await Task.Run(() => [|Thread.Sleep(10)|]); } }",
        // a condition that is not only the flag
        "class C { async Task M(Task t, bool async) { if (async && t.Id > 0) await t; else [|t.Wait()|]; } }",
    ];

    [Theory]
    [MemberData(nameof(Correct))]
    public Task BRG2003_correct(string source) => V2003.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task BRG2003_buggy(string source) => V2003.AnalyzerAsync(source);
}
