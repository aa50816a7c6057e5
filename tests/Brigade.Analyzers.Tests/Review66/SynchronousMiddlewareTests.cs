using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66;

// Review 66: middleware of the form `app.Use(next => ctx => { ... task.Result ...; return next(ctx); })`
// (IApplicationBuilder.Use(Func<RequestDelegate, RequestDelegate>)) waited on a task unreported, though the inner lambda
// runs once per request on the pool as `app.Use(async (ctx, next) => ...)` does, which was reported; and its async form
// (`next => async ctx => ...`) was "the thread that runs the async lambda: its caller's or ... a UI thread". Now the
// inner lambda is a request's body. Not reported, and right: a wait in the outer lambda (it runs once, building the
// pipeline, before any request), a sleep in the synchronous form (ASP.NET Core's synchronous model, as elsewhere).
public sealed class SynchronousMiddlewareTests
{
    [Fact]
    public Task Reports_task_waits_in_the_request_delegate_of_next_to_ctx_middleware() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.AspNetCore.Http
        {
            public sealed class HttpContext { }
            public delegate Task RequestDelegate(HttpContext context);
        }
        namespace Microsoft.AspNetCore.Builder
        {
            using Microsoft.AspNetCore.Http;
            public interface IApplicationBuilder { IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware); }
            public sealed class WebApplication : IApplicationBuilder
            {
                public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware) => this;
            }
        }
        namespace Shop
        {
            using Microsoft.AspNetCore.Builder;

            static class Remote
            {
                public static async Task<string> LoadAsync() { await Task.Yield(); return "x"; }
            }

            static class Startup
            {
                public static void Map(WebApplication app, IApplicationBuilder builder)
                {
                    app.Use(next => ctx => { var s = {|#0:Remote.LoadAsync().Result|}; return next(ctx); });
                    builder.Use(next => ctx => { [|Remote.LoadAsync().Wait()|]; return next(ctx); });
                    app.Use(next => async ctx => { {|#1:Remote.LoadAsync().Wait()|}; await next(ctx); });
                    app.Use(next => { var warm = Remote.LoadAsync().Result; return ctx => next(ctx); });
                    app.Use(next => ctx => { Thread.Sleep(1); return next(ctx); });
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Task.Result", "a thread-pool thread in a body of WebApplication.Use", "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("Task.Wait", "a thread-pool thread in a body of WebApplication.Use", "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)"));
}
