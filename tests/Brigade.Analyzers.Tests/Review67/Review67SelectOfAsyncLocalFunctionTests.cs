using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review67;

// Review 67 (found by its snippet 16). `await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkAsync()))`, the
// worker-pool form of review 59's `Select(async x => ...)`, starts one run of the async local function per element, side by
// side after its first await; its write of a captured `fetched++` after that await was not reported (the selector is not
// async itself). Not reported, and right: what runs before the first await (one run after the other), the function's own
// locals and parameters, Interlocked, a lock, runs awaited one at a time (`foreach (var t in ...Select(...)) await t;`), in
// an Orleans grain (the activation runs one turn at a time), a selector that does more than call the function.
public sealed class Review67SelectOfAsyncLocalFunctionTests
{
    [Fact]
    public Task Reports_writes_after_the_first_await_of_an_async_local_function_started_per_element() => Verifier.AnalyzerAsync(
        """
        namespace Orleans { public abstract class Grain { } }

        namespace Crawl
        {
            public static class Pool
            {
                public static async Task<int> RunAsync(string[] urls, int workers)
                {
                    var fetched = 0;
                    var started = 0;
                    var safe = 0;
                    var gate = new object();
                    var locked = 0;
                    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkAsync()));
                    await Task.WhenAll(urls.Select(u => FetchAsync(u)).ToList());
                    foreach (var t in urls.Select(u => FetchAsync(u))) await t;
                    return fetched + started + safe + locked;

                    async Task WorkAsync()
                    {
                        started++;
                        var mine = 0;
                        foreach (var url in urls)
                        {
                            await Task.Delay(url.Length);
                            {|#0:fetched++|};
                            mine++;
                            Interlocked.Increment(ref safe);
                            lock (gate) { locked++; }
                        }
                    }

                    async Task FetchAsync(string url)
                    {
                        await Task.Yield();
                        {|#1:fetched += url.Length|};
                    }
                }
            }

            public sealed class CrawlGrain : Orleans.Grain
            {
                private int _fetched;

                public async Task RunAsync(string[] urls)
                {
                    await Task.WhenAll(urls.Select(u => FetchAsync(u)));

                    async Task FetchAsync(string url)
                    {
                        await Task.Yield();
                        _fetched++;
                    }
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("fetched", "incremented", "Task.WhenAll of Select(... => WorkAsync(...))"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("fetched", "updated with +=", "Task.WhenAll of Select(... => FetchAsync(...))"));
}
