using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68 (known since review 67). One async local function started by two selectors in one method
// (`WhenAll(a.Select(_ => WorkAsync()))` and `WhenAll(b.Select(_ => WorkAsync()))`) had its write reported once per
// selector, twice at the same place: each selector read the function on its own. One report per write, named after the
// first selector that starts it together.
public sealed class SelectOfOneLocalFunctionTwiceTests
{
    [Fact]
    public Task Reports_each_write_of_a_function_two_selectors_start_once() => Verifier.AnalyzerAsync(
        """
        namespace Crawl
        {
            public static class Pool
            {
                public static async Task<int> RunAsync(string[] urls, string[] mirrors)
                {
                    var fetched = 0;
                    var bytes = 0;
                    await Task.WhenAll(urls.Select(_ => WorkAsync()));
                    await Task.WhenAll(mirrors.Select(_ => WorkAsync()).ToArray());
                    await Task.WhenAny(mirrors.Select(m => FetchAsync(m)));
                    await Task.WhenAll(urls.Select(u => FetchAsync(u)));
                    return fetched + bytes;

                    async Task WorkAsync()
                    {
                        await Task.Yield();
                        {|#0:fetched++|};
                    }

                    async Task FetchAsync(string url)
                    {
                        await Task.Delay(url.Length);
                        {|#1:bytes += url.Length|};
                    }
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("fetched", "incremented", "Task.WhenAll of Select(... => WorkAsync(...))"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("bytes", "updated with +=", "Task.WhenAny of Select(... => FetchAsync(...))"));
}
