using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review65;

// Review 65: `.Result`/`.Wait()` in a synchronous SignalR hub method, controller action or minimal-API handler, or in a
// synchronous timer callback (a `System.Threading.Timer`'s, also a method given by name, or a `System.Timers.Timer`'s
// `Elapsed` handler), blocks a thread of the pool: ASP.NET Core runs requests and hub calls there (it has no
// synchronization context), and the timers call back there. None was reported (BRG2003 read async functions and pool
// bodies such as Task.Run; an async hub method was "the thread that runs the async method: its caller's or ... a UI
// thread"). There, waits on a task only: synchronous I/O and sleeps are ASP.NET Core's and the timers' synchronous model,
// left alone. Not reported, and right: an `Elapsed` handler of a timer with a `SynchronizingObject` (the UI
// thread runs it), a hub's private helper (its callers decide), a task known complete, a class that is none of these.
public sealed class BlockingInPoolCallbacksTests
{
    [Fact]
    public Task Reports_blocking_in_synchronous_hub_methods_handlers_and_timer_callbacks() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.AspNetCore.Routing { public interface IEndpointRouteBuilder { } }
        namespace Microsoft.AspNetCore.Builder
        {
            using Microsoft.AspNetCore.Routing;
            public sealed class WebApplication : IEndpointRouteBuilder { }
            public static class EndpointRouteBuilderExtensions
            {
                public static object MapGet(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => handler;
            }
        }
        namespace Microsoft.AspNetCore.Mvc { public abstract class ControllerBase { } }
        namespace Microsoft.AspNetCore.SignalR { public abstract class Hub { } }
        namespace Chat
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.SignalR;

            static class Remote
            {
                public static async Task<string> LoadAsync() { await Task.Yield(); return "x"; }
            }

            sealed class ChatHub : Hub
            {
                public string Fetch() => {|#0:Remote.LoadAsync().Result|};

                public void Send() => [|Remote.LoadAsync().Wait()|];

                public string Done() => Task.FromResult("x").Result;

                public bool Bounded() => [|Remote.LoadAsync().Wait(1000)|];

                public async Task Later()
                {
                    {|#2:Remote.LoadAsync().Wait()|};
                    await Task.Yield();
                }

                public void Nap() => Thread.Sleep(10);

                public string Read() => File.ReadAllText("a.txt");

                void Helper() => Remote.LoadAsync().Wait();
            }

            sealed class PagesController : ControllerBase
            {
                public string Get() => [|Remote.LoadAsync().Result|];
            }

            sealed class NotAHub
            {
                public string Fetch() => Remote.LoadAsync().Result;
            }

            sealed class Poller
            {
                readonly System.Timers.Timer _flush = new(1000);
                readonly System.Timers.Timer _ui = new(1000);
                Timer? _timer;

                public void Start(WebApplication app, System.ComponentModel.ISynchronizeInvoke form)
                {
                    _timer = new Timer(_ => {|#1:Remote.LoadAsync().Wait()|}, null, 0, 1000);
                    _ = new Timer(Poll, null, 1000, Timeout.Infinite);
                    _ = new Timer(_ => Thread.Sleep(10), null, 0, 1000);
                    _flush.Elapsed += (s, e) => [|Remote.LoadAsync().Wait()|];
                    _ui.SynchronizingObject = form;
                    _ui.Elapsed += (s, e) => Remote.LoadAsync().Wait();
                    app.MapGet("/", () => [|Remote.LoadAsync().Result|]);
                }

                void Poll(object? state) => [|Remote.LoadAsync().Wait()|];
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Task.Result", "a thread-pool thread in the SignalR hub method ChatHub.Fetch", "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("Task.Wait", "a thread-pool thread in a body of new Timer(...)", "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)"),
        Verifier.Diagnostic().WithLocation(2).WithArguments("Task.Wait", "a thread-pool thread in the SignalR hub method ChatHub.Later", "await its asynchronous form, or give blocking work to dedicated threads (Brigade's Engine.Threads)"));
}
