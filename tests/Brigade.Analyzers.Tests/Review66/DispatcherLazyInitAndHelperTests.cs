using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66;

// Review 66. (1) A Blazor component's timer callback that hands its update to the renderer (`InvokeAsync(() => { _ticks++;
// StateHasChanged(); })`, the pattern Blazor's docs give) was reported: `'_ticks' is incremented in a body that new
// Timer(...) with a period runs concurrently`, but the renderer's dispatcher runs what it is given one at a time, as a UI
// dispatcher does (WPF's `Dispatcher.Invoke`, WinForms' `Control.Invoke`): a lambda given to one is not part of the
// concurrent body. (2) A singleton's method that writes nothing itself but calls its own method that does (`public int
// Read() => Bump(); int Bump() => _reads++;`) was not reported: a method of the singleton's class called on itself is read
// one more level. (3) Lazy initialisation (`_pattern ??= new Regex(...)`, `if (_name == null) _name = Compute();`) was
// reported in a singleton's method and not in its property getter; now in neither (racing threads store equal values),
// unless what it makes is an empty collection (`_log ??= new List<string>()`), whose adds are lost with the list that
// loses the race: reported in a method (as before) and now in a getter too (not one made full, `new List<string>(names)`,
// `new() { ["a"] = 1 }`, then only read); a check-then-act of another kind (`if (v > _max) _max =
// v;`) is reported as before. (4) Middleware of the form `app.Use(next => ctx
// => ...)`: the inner lambda runs once per request (the outer once, building the pipeline), and is read as
// `app.Use(async (ctx, next) => ...)` is.
public sealed class DispatcherLazyInitAndHelperTests
{
    [Fact]
    public Task Skips_dispatched_updates_and_lazy_init_but_follows_the_singletons_own_helpers_and_inner_middleware() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
            }
        }
        namespace Microsoft.AspNetCore.Http
        {
            public sealed class HttpContext { }
            public delegate Task RequestDelegate(HttpContext context);
        }
        namespace Microsoft.AspNetCore.Routing { public interface IEndpointRouteBuilder { } }
        namespace Microsoft.AspNetCore.Builder
        {
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Routing;
            public interface IApplicationBuilder { IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware); }
            public sealed class WebApplication : IEndpointRouteBuilder, IApplicationBuilder
            {
                public IApplicationBuilder Use(Func<RequestDelegate, RequestDelegate> middleware) => this;
            }
            public static class EndpointRouteBuilderExtensions
            {
                public static object MapGet(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => handler;
            }
        }
        namespace Microsoft.AspNetCore.Components
        {
            public abstract class ComponentBase
            {
                protected Task InvokeAsync(Action workItem) => Task.CompletedTask;
                protected Task InvokeAsync(Func<Task> workItem) => Task.CompletedTask;
                protected void StateHasChanged() { }
            }
        }
        namespace System.Windows.Threading { public sealed class Dispatcher { public void Invoke(Action callback) { } } }

        namespace Shop
        {
            using System.Text.RegularExpressions;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Components;
            using Microsoft.Extensions.DependencyInjection;

            sealed class Catalog
            {
                readonly object _gate = new();
                int _reads;
                int _max;
                Regex? _pattern;
                string? _name;

                public int Read() => Bump();

                public int Reads => Bump();

                public void ReadLocked() { lock (_gate) { Bump(); } }

                public void ReadSafe() => BumpLocked();

                public Regex Pattern() => _pattern ??= new Regex("a+");

                public Regex PatternProperty => _pattern ??= new Regex("a+");

                public string Name() { if (_name == null) _name = Compute(); return _name; }

                public string NameProperty { get { if (_name is null) { _name = Compute(); } return _name; } }

                public void Max(int v) { if (v > _max) _max = v; }

                List<string>? _log;

                public List<string> Log => _log ??= new List<string>();

                List<string>? _names;

                public List<string> Names => _names ??= new List<string>(new[] { "a", "b" });

                public Dictionary<string, int> Index() => _index ??= new Dictionary<string, int> { ["a"] = 1 };

                Dictionary<string, int>? _index;

                HashSet<int>? _seen;

                public HashSet<int> Seen { get { if (_seen == null) { _seen = new HashSet<int>(); } return _seen; } }

                int Bump() => _reads++;

                void BumpLocked() { lock (_gate) { _reads++; } }

                static string Compute() => "catalog";
            }

            static class Startup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<Catalog>();

                public static void Map(WebApplication app)
                {
                    app.MapGet("/", (Catalog c) =>
                    {
                        {|#0:c.Read()|};
                        _ = {|#1:c.Reads|};
                        c.ReadLocked();
                        c.ReadSafe();
                        c.Pattern();
                        _ = c.PatternProperty;
                        c.Name();
                        _ = c.NameProperty;
                        [|c.Max(3)|];
                        _ = [|c.Log|];
                        _ = [|c.Seen|];
                        _ = c.Names;
                        c.Index();
                    });

                    var served = 0;
                    var built = 0;
                    app.Use(next => ctx => { {|#2:served++|}; return next(ctx); });
                    app.Use(next => { built++; return ctx => next(ctx); });
                    app.Use(next => { var pipelineOwn = 0; return async ctx => { [|pipelineOwn++|]; await next(ctx); }; });
                }
            }

            sealed class Ticker : ComponentBase
            {
                readonly System.Windows.Threading.Dispatcher _ui = new();
                int _ticks;
                int _renders;
                Timer? _timer;

                void Start()
                {
                    _timer = new Timer(_ => { InvokeAsync(() => { _renders++; StateHasChanged(); }); }, null, 1000, 1000);
                    _timer = new Timer(_ => InvokeAsync(async () => { _renders++; await Task.Yield(); _renders++; }), null, 1000, 1000);
                    _timer = new Timer(_ => _ui.Invoke(() => _renders++), null, 1000, 1000);
                    _timer = new Timer(_ => { [|_ticks++|]; InvokeAsync(StateHasChanged); }, null, 1000, 1000);
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_reads", "incremented by the singleton's method Catalog.Read (in its method Bump), called", "MapGet (one call per request)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("_reads", "incremented by the singleton's property Catalog.Reads (in its method Bump), read", "MapGet (one call per request)"),
        Verifier.Diagnostic().WithLocation(2).WithArguments("served", "incremented", "Use (one call per request)"));
}
