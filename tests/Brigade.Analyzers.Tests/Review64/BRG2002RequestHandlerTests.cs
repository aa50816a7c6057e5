using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review64;

// Review 64: a minimal-API handler (`app.MapGet("/", () => counter.Hits++)`) runs once per request, and requests run at
// once on the thread pool: what it captures (a local, a parameter of the method that maps it, a singleton made there)
// and static fields are shared by every request, and `++` there loses updates. It was not reported. Not reported, and
// right: a parameter of the handler (bound or injected per request: a singleton or a scoped service, not known), a
// local of the handler, Interlocked, and a controller's field (ASP.NET Core makes a controller per request). The test
// references have no ASP.NET Core: stubs with the framework's names and signatures stand in for it.
public sealed class BRG2002RequestHandlerTests
{
    [Fact]
    public Task Reports_shared_updates_in_minimal_API_handlers_but_not_per_request_state() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.AspNetCore.Routing { public interface IEndpointRouteBuilder { } }
        namespace Microsoft.AspNetCore.Builder
        {
            using Microsoft.AspNetCore.Routing;
            public sealed class WebApplication : IEndpointRouteBuilder { }
            public static class EndpointRouteBuilderExtensions
            {
                public static object MapGet(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => handler;
                public static object MapPost(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => handler;
            }
        }
        namespace Microsoft.AspNetCore.Mvc { public abstract class ControllerBase { } }

        namespace Shop
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Mvc;

            sealed class Counter { public int Hits; }

            static class Endpoints
            {
                static int s_total;

                public static void Map(WebApplication app, Counter counter)
                {
                    var served = 0;
                    var orders = new List<string>();
                    app.MapGet("/", () => {|#0:counter.Hits++|});
                    app.MapGet("/served", () => { [|served++|]; return served; });
                    app.MapPost("/total", (int n) => [|s_total += n|]);
                    app.MapPost("/orders", (string order) => [|orders.Add(order)|]);

                    app.MapGet("/injected", (Counter c) => c.Hits++);
                    app.MapGet("/local", () => { var n = 0; n++; return n; });
                    app.MapGet("/safe", () => Interlocked.Increment(ref s_total));
                }
            }

            sealed class OrdersController : ControllerBase
            {
                int _count;

                public int Get() => _count++;
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Hits", "incremented", "MapGet (one call per request)"));
}
