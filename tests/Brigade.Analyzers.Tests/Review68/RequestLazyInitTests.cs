using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68 (found by its probes). Lazy initialisation of a static in a controller action, a hub or gRPC method or a
// minimal-API handler (`s_words ??= new Regex(...)`, `if (s_banner == null) s_banner = ...`) was reported, where the same
// line in the action's own helper, a singleton's method, a grain's or a component's method was not (reviews 66, 67):
// racing requests store equal values, the benign race .NET itself uses. Still reported, and right: the lazy creation of
// an empty collection (`s_log ??= new List<string>()`: the adds made to the copy that loses are lost), a check-then-act
// other than a null test, `++`; and in a parallel loop's body a `??=` of a value that is not a constant (review 65b).
public sealed class RequestLazyInitTests
{
    [Fact]
    public Task Leaves_lazy_initialisation_in_request_entry_points_alone() => Verifier.AnalyzerAsync(
        Review67.Review67SnippetTests.Stubs + """
        namespace Search
        {
            using System.Text.RegularExpressions;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.SignalR;

            public sealed class SearchController : ControllerBase
            {
                private static Regex? s_words;
                private static string? s_banner;
                private static List<string>? s_log;
                private static int s_max;
                private static int s_searches;

                [HttpGet("search")]
                public int Search(string q)
                {
                    s_words ??= new Regex("\\w+");
                    if (s_banner == null) s_banner = "v" + q.Length;
                    [|s_log ??= new List<string>()|];
                    if (q.Length > s_max) [|s_max = q.Length|];
                    [|s_searches++|];
                    return s_words.Matches(q).Count;
                }
            }

            public sealed class SearchHub : Hub
            {
                private static Regex? s_pattern;

                public int Count(string q) => (s_pattern ??= new Regex("\\d+")).Matches(q).Count;
            }

            public static class Api
            {
                private static Regex? s_ids;
                private static Dictionary<string, int>? s_seen;

                public static void Map(WebApplication app)
                {
                    app.MapGet("/ids", (string s) => (s_ids ??= new Regex("\\d+")).Matches(s).Count);
                    app.MapGet("/seen", (string s) => { [|s_seen ??= new Dictionary<string, int>()|]; return s; });
                }

                public static void Loop(string[] items)
                {
                    Regex? local = null;
                    Parallel.ForEach(items, x => [|local ??= new Regex(x)|]);
                }
            }
        }
        """);
}
