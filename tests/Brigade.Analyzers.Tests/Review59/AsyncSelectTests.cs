using V2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review59;

// Review 59 (a new user's code, not in the repository): `await Task.WhenAll(urls.Select(async url => { var s = await
// http.GetStringAsync(url); total += s.Length; }))`, the usual way to run async calls side by side, was not reported.
// Every lambda starts when Select's result is enumerated (WhenAll, ToList), and what follows each one's first await runs
// on the pool, side by side with the others: `total +=` loses updates. What precedes the first await runs on the
// enumerating thread, one lambda after the other; a `foreach` that awaits each task in turn runs them one at a time.
public sealed class AsyncSelectTests
{
    [Fact]
    public async Task BRG2002_reports_writes_after_an_await_in_async_lambdas_a_Select_starts_together()
    {
        await V2002.AnalyzerAsync("""
            class C
            {
                private int _done;

                static Task<string> Get(string url) => Task.FromResult(url);

                async Task<int> Direct(string[] urls)
                {
                    var total = 0;
                    await Task.WhenAll(urls.Select(async url =>
                    {
                        var s = await Get(url);
                        [|total += s.Length|];
                    }));
                    return total;
                }

                async Task ThroughALocal(string[] urls)
                {
                    var tasks = urls.Select(async url => { await Get(url); [|_done++|]; }).ToList();
                    await Task.WhenAll(tasks);
                }

                void Waited(string[] urls)
                {
                    var seen = new List<string>();
                    Task.WaitAll(urls.Select(async url => { await Task.Yield(); [|seen.Add(url)|]; }).ToArray());
                }

                async Task InALoop(string[] urls)
                {
                    var n = 0;
                    await Task.WhenAll(urls.Select(async url =>
                    {
                        foreach (var c in url)
                        {
                            [|n++|];
                            await Task.Yield();
                        }
                    }));
                }
            }
            """);
    }

    [Fact]
    public async Task BRG2002_leaves_async_Select_lambdas_that_do_not_race()
    {
        await V2002.AnalyzerAsync("""
            class C
            {
                private readonly object _gate = new();
                private int _done;

                static Task<string> Get(string url) => Task.FromResult(url);

                async Task BeforeTheFirstAwait(string[] urls)
                {
                    var started = 0;
                    await Task.WhenAll(urls.Select(async url => { started++; await Get(url); }));
                }

                async Task OneAfterAnother(string[] urls)
                {
                    var total = 0;
                    foreach (var t in urls.Select(async url => { var s = await Get(url); total += s.Length; }))
                    {
                        await t;
                    }
                }

                async Task Locked(string[] urls)
                {
                    await Task.WhenAll(urls.Select(async url => { await Get(url); lock (_gate) { _done++; } }));
                }

                async Task OwnVariables(string[] urls)
                {
                    var lengths = await Task.WhenAll(urls.Select(async url => { var n = 0; var s = await Get(url); n += s.Length; return n; }));
                }

                async Task NotAsync(string[] urls)
                {
                    var total = 0;
                    await Task.WhenAll(urls.Select(url => { total++; return Get(url); }));
                }
            }
            """);
    }
}
