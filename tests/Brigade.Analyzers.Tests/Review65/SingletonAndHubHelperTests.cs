using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review65;

// Review 65: a service registered as a singleton (`services.AddSingleton<Counter>()`, `AddSingleton<IStore, Store>()`)
// is one instance for every request, and ASP.NET Core runs requests at once: `counter.Hits++` on it in a minimal-API
// handler, a controller action or a hub method, or a call to its `Record()` that does `_count++`, loses updates. None was
// reported (the handler's parameter, the controller's and hub's fields were per request). Nor were a hub's private
// helpers (`Count()` doing `s_sent++`), nor a middleware lambda (`app.Use(async (ctx, next) => { served++; ... })`).
// Now: a handler parameter, or a field of a controller or hub assigned from its constructor's parameter, whose type the
// compilation registers as a singleton is shared; a call on it to a method of the compilation is followed one level
// (the implementation registered, for an interface), as are calls of a hub's or controller's own non-public methods
// (their statics), and reported at the call. Not reported, and right: a scoped, transient or unregistered service, a
// lock in the singleton's method or around the call, Interlocked, the controller's and hub's own fields.
public sealed class SingletonAndHubHelperTests
{
    [Fact]
    public Task Reports_writes_to_singletons_and_in_hub_helpers_but_not_to_per_request_state() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, Func<IServiceProvider, TService> factory) where TService : class => services;
                public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService => services;
                public static IServiceCollection AddScoped<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddTransient<TService>(this IServiceCollection services) where TService : class => services;
            }
        }
        namespace Microsoft.AspNetCore.Http { public sealed class HttpContext { } }
        namespace Microsoft.AspNetCore.Routing { public interface IEndpointRouteBuilder { } }
        namespace Microsoft.AspNetCore.Builder
        {
            using Microsoft.AspNetCore.Http;
            using Microsoft.AspNetCore.Routing;
            public interface IApplicationBuilder { }
            public sealed class WebApplication : IEndpointRouteBuilder, IApplicationBuilder { }
            public static class EndpointRouteBuilderExtensions
            {
                public static object MapGet(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => handler;
                public static object MapPost(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) => handler;
            }
            public static class UseExtensions
            {
                public static IApplicationBuilder Use(this IApplicationBuilder app, Func<HttpContext, Func<Task>, Task> middleware) => app;
            }
        }
        namespace Microsoft.AspNetCore.Mvc { public abstract class ControllerBase { } }
        namespace Microsoft.AspNetCore.SignalR { public abstract class Hub { } }

        namespace Shop
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.SignalR;
            using Microsoft.Extensions.DependencyInjection;

            sealed class Counter
            {
                public int Hits;
                int _count;

                public void Record() => _count++;
            }

            interface IStore { void Add(string order); }

            interface IClock { void Tick(); }

            sealed class SystemClock : IClock { long _ticks; public void Tick() => _ticks++; }

            interface IFactoryMade { void Tick(); }

            sealed class Store : IStore
            {
                readonly Dictionary<int, string> _orders = new();
                int _next;

                public void Add(string order) => _orders[_next++] = order;
            }

            sealed class SafeCounter
            {
                readonly object _gate = new();
                int _count;

                public void Record() { lock (_gate) { _count++; } }

                public void Add() => Interlocked.Increment(ref _count);
            }

            sealed class Cart { int _items; public void Add() => _items++; }

            sealed class Clock { long _ticks; public void Tick() => _ticks++; }

            sealed class Unregistered { int _n; public void Bump() => _n++; }

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<Counter>();
                    services.AddSingleton<IStore, Store>();
                    services.AddSingleton<SafeCounter>();
                    services.AddScoped<Cart>();
                    services.AddTransient<Clock>();
                    services.AddSingleton<IClock>(sp => new SystemClock());
                    services.AddSingleton<IFactoryMade>(sp => sp.GetService(typeof(IClock)) as IFactoryMade ?? throw new InvalidOperationException());
                }

                public static void Map(WebApplication app)
                {
                    var served = 0;
                    app.Use(async (ctx, next) => { [|served++|]; await next(); });
                    app.MapGet("/", (Counter c) => { {|#0:c.Hits++|}; {|#1:c.Record()|}; });
                    app.MapPost("/orders", (IStore store, string order) => {|#2:store.Add(order)|});
                    app.MapPost("/safe", (SafeCounter s) => { s.Record(); s.Add(); });
                    app.MapPost("/cart", (Cart cart, Clock clock, Unregistered u) => { cart.Add(); clock.Tick(); u.Bump(); });
                    app.MapPost("/tick", (IClock clock, IFactoryMade made) => { [|clock.Tick()|]; made.Tick(); });
                }
            }

            sealed class OrdersController : ControllerBase
            {
                static int s_served;
                readonly Counter _counter;
                readonly Cart _cart;
                int _mine;

                public OrdersController(Counter counter, Cart cart)
                {
                    _counter = counter;
                    _cart = cart;
                }

                public void Get()
                {
                    _mine++;
                    [|s_served++|];
                    {|#3:_counter.Hits++|};
                    [|_counter.Record()|];
                    _cart.Add();
                    lock (_counter)
                    {
                        _counter.Record();
                    }
                }

                public void Dispose() => s_served++;
            }

            sealed class ShopHub : Hub
            {
                static int s_sent;
                static readonly Dictionary<string, string> s_rooms = new();
                readonly Counter _counter = new();
                int _mine;

                public void Send()
                {
                    {|#4:Count()|};
                    [|Remember("a", "b")|];
                    CountLocked();
                    Mine();
                    _counter.Hits++;
                }

                void Count() => s_sent++;

                private static void Remember(string id, string room) => s_rooms[id] = room;

                void CountLocked() { lock (s_rooms) { s_sent++; } }

                void Mine() => _mine++;
            }

            sealed class StatsHub(Counter counter, Cart cart) : Hub
            {
                public void Hit()
                {
                    [|counter.Hits++|];
                    [|counter.Record()|];
                    cart.Add();
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Hits", "incremented", "MapGet (one call per request)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("_count", "incremented by the singleton's method Counter.Record, called", "MapGet (one call per request)"),
        Verifier.Diagnostic().WithLocation(2).WithArguments("_orders[...]", "set through the Dictionary indexer by the singleton's method Store.Add, called", "MapPost (one call per request)"),
        Verifier.Diagnostic().WithLocation(3).WithArguments("Hits", "incremented", "ASP.NET Core (controller action OrdersController.Get, one call per request)"),
        Verifier.Diagnostic().WithLocation(4).WithArguments("s_sent", "incremented by the method ShopHub.Count, called", "SignalR (hub method ShopHub.Send, one call per invocation)"));
}
