using BRG2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;
using BRG2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;
using BRG2007 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2007ThreadAffineLockAcrossAwaitAnalyzer>;

namespace Brigade.Analyzers.Tests.Review67;

// Review 67: ordinary concurrency code of ASP.NET Core, Orleans, WPF, Blazor and console apps, written for this review and
// not shaped like the rules' own tests (records, primary constructors, local functions, `lock` on System.Threading.Lock,
// Interlocked, ImmutableInterlocked, ConcurrentDictionary.AddOrUpdate, [ThreadStatic], AsyncLocal, volatile, Lazy<T>,
// IOptionsMonitor, hosted services, minimal APIs, [Reentrant] and [StatelessWorker] grains). Each snippet is run through
// the three rules that read such code (BRG2002, BRG2003, BRG2007); `«2002:...»` marks what BRG2002 reports (true reports
// only; turned into the harness's `[|...|]` for that rule and dropped for the others). Before review 67: BRG2007 reported
// `await pending` (a local holding only Task.FromResult) in snippet 11, false; BRG2002 missed `s_viewers++` and
// `s_recent.Add(...)` inside InvokeAsync in snippet 12 (a Blazor Server component's statics) and `s_quotes++` in snippet 4
// (a grain's static, shared by all its activations) and `fetched++` in snippet 16 (after the first await of an async local
// function that Task.WhenAll of Select(_ => WorkAsync()) runs once per worker).
public sealed class Review67SnippetTests
{
    // The frameworks' types, shaped as the real ones (namespaces and names are what the analyzers look up).
    internal const string Stubs = """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService => services;
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, TService instance) where TService : class => services;
                public static IServiceCollection AddScoped<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddHostedService<THostedService>(this IServiceCollection services) where THostedService : class => services;
            }
        }
        namespace Microsoft.Extensions.Options
        {
            public interface IOptionsMonitor<out TOptions> { TOptions CurrentValue { get; } IDisposable? OnChange(Action<TOptions, string?> listener); }
        }
        namespace Microsoft.Extensions.Hosting
        {
            public interface IHostedService { Task StartAsync(CancellationToken cancellationToken); Task StopAsync(CancellationToken cancellationToken); }
            public abstract class BackgroundService : IHostedService
            {
                protected abstract Task ExecuteAsync(CancellationToken stoppingToken);
                public virtual Task StartAsync(CancellationToken cancellationToken) => ExecuteAsync(cancellationToken);
                public virtual Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            }
        }
        namespace Microsoft.AspNetCore.Http
        {
            public sealed class HttpContext { public string TraceIdentifier { get; set; } = ""; }
            public delegate Task RequestDelegate(HttpContext context);
            public interface IResult { }
            public static class Results { public static IResult Ok(object? value = null) => null!; public static IResult StatusCode(int code) => null!; }
        }
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
        }
        namespace Microsoft.AspNetCore.Mvc
        {
            public abstract class ControllerBase { }
            [AttributeUsage(AttributeTargets.Class)] public sealed class ApiControllerAttribute : Attribute { }
            [AttributeUsage(AttributeTargets.Method)] public sealed class HttpGetAttribute : Attribute { public HttpGetAttribute(string template = "") { } }
        }
        namespace Microsoft.AspNetCore.SignalR
        {
            public sealed class HubCallerContext { public string ConnectionId { get; set; } = ""; }
            public abstract class Hub
            {
                public HubCallerContext Context { get; set; } = new();
                public virtual Task OnConnectedAsync() => Task.CompletedTask;
                public virtual Task OnDisconnectedAsync(Exception? exception) => Task.CompletedTask;
            }
        }
        namespace Microsoft.AspNetCore.Components
        {
            [AttributeUsage(AttributeTargets.Property)] public sealed class InjectAttribute : Attribute { }
            public abstract class ComponentBase
            {
                protected Task InvokeAsync(Action workItem) => Task.CompletedTask;
                protected Task InvokeAsync(Func<Task> workItem) => Task.CompletedTask;
                protected void StateHasChanged() { }
                protected virtual void OnInitialized() { }
                protected virtual Task OnInitializedAsync() => Task.CompletedTask;
            }
        }
        namespace Microsoft.AspNetCore.Components.Server.Circuits { public abstract class CircuitHandler { } }
        namespace Orleans
        {
            public interface IGrainWithStringKey { }
            public interface IGrainWithIntegerKey { }
            public abstract class Grain { }
            namespace Concurrency
            {
                [AttributeUsage(AttributeTargets.Class)] public sealed class ReentrantAttribute : Attribute { }
                [AttributeUsage(AttributeTargets.Class)] public sealed class StatelessWorkerAttribute : Attribute { public StatelessWorkerAttribute(int max = 0) { } }
            }
        }
        namespace System.Windows.Threading
        {
            public sealed class Dispatcher { public void Invoke(Action callback) { } public Task InvokeAsync(Action callback) => Task.CompletedTask; }
            public abstract class DispatcherObject { public Dispatcher Dispatcher { get; } = new(); }
        }

        """;

    // 1. Minimal API, a record options type, a primary-constructor singleton that locks a System.Threading.Lock
    // (pattern-based `lock`, and EnterScope), a captured Dictionary written by every request.
    private const string MinimalApiRateLimiter = """
        namespace Snippet1
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Http;
            using Microsoft.Extensions.DependencyInjection;

            public sealed record LimitOptions(int PerMinute, TimeSpan Window);

            public sealed class RateLimiter(LimitOptions options)
            {
                private readonly Lock _gate = new();
                private readonly Dictionary<string, int> _used = new();
                private int _rejected;

                public bool TryTake(string client)
                {
                    lock (_gate)
                    {
                        _used.TryGetValue(client, out var n);
                        if (n >= options.PerMinute) { _rejected++; return false; }
                        _used[client] = n + 1;
                        return true;
                    }
                }

                public int Rejected { get { using (_gate.EnterScope()) { return _rejected; } } }

                public void Reset() { using var scope = _gate.EnterScope(); _used.Clear(); }
            }

            public static class Api
            {
                public static void Map(WebApplication app, IServiceCollection services)
                {
                    services.AddSingleton(new RateLimiter(new LimitOptions(60, TimeSpan.FromMinutes(1))));
                    var lastSeen = new Dictionary<string, DateTime>();
                    app.MapPost("/orders/{client}", (string client, RateLimiter limiter) =>
                    {
                        «2002:lastSeen[client] = DateTime.UtcNow»;
                        return limiter.TryTake(client) ? Results.Ok() : Results.StatusCode(429);
                    });
                    app.MapGet("/limits", (RateLimiter limiter) => Results.Ok(limiter.Rejected));
                }
            }
        }
        """;

    // 2. A BackgroundService with a PeriodicTimer loop, a volatile flag, Interlocked counters and an immutable snapshot
    // swapped with ImmutableInterlocked; a singleton the hosted service and the handlers share.
    private const string HostedServiceWithSnapshots = """
        namespace Snippet2
        {
            using System.Collections.Immutable;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;

            public sealed record PriceQuote(string Symbol, decimal Price, DateTimeOffset At);

            public sealed class QuoteBoard
            {
                private ImmutableDictionary<string, PriceQuote> _quotes = ImmutableDictionary<string, PriceQuote>.Empty;
                private long _updates;
                private volatile bool _stale;

                public void Publish(PriceQuote quote)
                {
                    ImmutableInterlocked.AddOrUpdate(ref _quotes, quote.Symbol, quote, (_, _) => quote);
                    Interlocked.Increment(ref _updates);
                    _stale = false;
                }

                public void MarkStale() => _stale = true;

                public bool IsStale => _stale;

                public long Updates => Interlocked.Read(ref _updates);

                public PriceQuote? Get(string symbol) => Volatile.Read(ref _quotes).TryGetValue(symbol, out var q) ? q : null;
            }

            public sealed class QuotePoller(QuoteBoard board) : BackgroundService
            {
                private int _rounds;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
                    while (await timer.WaitForNextTickAsync(stoppingToken))
                    {
                        _rounds++;
                        board.Publish(new PriceQuote("MSFT", 420m + _rounds, DateTimeOffset.UtcNow));
                        if (_rounds % 10 == 0) board.MarkStale();
                    }
                }
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services, WebApplication app)
                {
                    services.AddSingleton<QuoteBoard>();
                    services.AddHostedService<QuotePoller>();
                    app.MapGet("/quotes/{symbol}", (string symbol, QuoteBoard board) => board.Get(symbol));
                    app.MapGet("/quotes/stats", (QuoteBoard board) => new { board.Updates, board.IsStale });
                }
            }
        }
        """;

    // 3. A singleton cache on ConcurrentDictionary (AddOrUpdate, GetOrAdd with Lazy<Task<T>>) and a hit counter that is
    // not: `_hits++` in a method every request calls.
    private const string ConcurrentCacheSingleton = """
        namespace Snippet3
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.Extensions.DependencyInjection;

            public sealed record Product(int Id, string Name, decimal Price);

            public sealed class ProductCache
            {
                private readonly ConcurrentDictionary<int, Lazy<Task<Product>>> _products = new();
                private readonly ConcurrentDictionary<string, int> _views = new();
                private int _hits;

                public Task<Product> GetAsync(int id)
                {
                    _hits++;
                    _views.AddOrUpdate("product:" + id, 1, (_, n) => n + 1);
                    return _products.GetOrAdd(id, key => new Lazy<Task<Product>>(() => LoadAsync(key))).Value;
                }

                public int Hits => _hits;

                private static async Task<Product> LoadAsync(int id)
                {
                    await Task.Delay(10);
                    return new Product(id, "item " + id, 9.99m);
                }
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app, IServiceCollection services)
                {
                    services.AddSingleton<ProductCache>();
                    app.MapGet("/products/{id}", async (int id, ProductCache cache) => await «2002:cache.GetAsync(id)»);
                }
            }
        }
        """;

    // 4. Orleans: a [Reentrant] grain writing its state across awaits (one activation's turns interleave but never run at
    // once), a [StatelessWorker] grain with per-activation state and a static counter shared by all its activations.
    private const string OrleansGrains = """
        namespace Snippet4
        {
            using Orleans;
            using Orleans.Concurrency;

            public interface IInventoryGrain : IGrainWithStringKey { Task<int> ReserveAsync(int count); }

            public interface IPricingGrain : IGrainWithIntegerKey { Task<decimal> QuoteAsync(string sku); }

            [Reentrant]
            public sealed class InventoryGrain : Grain, IInventoryGrain
            {
                private int _available = 100;
                private readonly List<int> _reservations = new();

                public async Task<int> ReserveAsync(int count)
                {
                    await Task.Delay(5);
                    if (_available < count) return 0;
                    _available -= count;
                    _reservations.Add(count);
                    await Task.Yield();
                    return count;
                }
            }

            [StatelessWorker(4)]
            public sealed class PricingGrain : Grain, IPricingGrain
            {
                private static int s_quotes;
                private readonly Dictionary<string, decimal> _local = new();

                public async Task<decimal> QuoteAsync(string sku)
                {
                    «2002:s_quotes++»;
                    if (!_local.TryGetValue(sku, out var price))
                    {
                        price = await FetchAsync(sku);
                        _local[sku] = price;
                    }

                    return price;
                }

                private static Task<decimal> FetchAsync(string sku) => Task.FromResult(sku.Length * 1.5m);
            }
        }
        """;

    // 5. A WPF view model: background work handed back to the UI thread with Dispatcher.Invoke, a [ThreadStatic] scratch
    // buffer and an AsyncLocal correlation id in Parallel.For, a progress count with Interlocked.
    private const string WpfViewModel = """
        namespace Snippet5
        {
            using System.Collections.ObjectModel;
            using System.Windows.Threading;

            public sealed class ImportViewModel : DispatcherObject
            {
                [ThreadStatic] private static byte[]? t_buffer;
                private static readonly AsyncLocal<string?> s_correlation = new();
                private int _done;
                private int _failed;

                public ObservableCollection<string> Log { get; } = new();

                public async Task ImportAsync(IReadOnlyList<string> files)
                {
                    var tasks = new List<Task>();
                    foreach (var file in files)
                    {
                        tasks.Add(Task.Run(() =>
                        {
                            s_correlation.Value = file;
                            t_buffer ??= new byte[4096];
                            var ok = file.Length % 2 == 0;
                            if (!ok) «2002:_failed++»;
                            Interlocked.Increment(ref _done);
                            Dispatcher.Invoke(() => Log.Add(file + (ok ? " imported" : " failed")));
                        }));
                    }

                    await Task.WhenAll(tasks);
                    Parallel.For(0, files.Count, i =>
                    {
                        t_buffer ??= new byte[4096];
                        t_buffer[0] = (byte)i;
                        Dispatcher.InvokeAsync(() => Log.Add("checked " + i));
                    });
                }
            }
        }
        """;

    // 6. A console tool: a local function that sums under a System.Threading.Lock, one that does not, a ThreadLocal
    // Random, a Lazy<T> read from every iteration.
    private const string ConsoleLocalFunctions = """
        namespace Snippet6
        {
            public static class Checksums
            {
                private static readonly Lazy<uint[]> s_table = new(() => Enumerable.Range(0, 256).Select(i => (uint)i * 2654435761u).ToArray());
                private static readonly ThreadLocal<Random> s_random = new(() => new Random());

                public static (long Total, long Sampled) Run(IReadOnlyList<byte[]> blocks)
                {
                    var gate = new Lock();
                    long total = 0;
                    long sampled = 0;
                    Parallel.ForEach(blocks, block =>
                    {
                        var sum = Checksum(block);
                        Add(sum);
                        if (s_random.Value!.Next(100) == 0) «2002:Sample(sum)»;
                    });
                    return (total, sampled);

                    void Add(uint value) { lock (gate) { total += value; } }

                    void Sample(uint value) => sampled += value;
                }

                private static uint Checksum(byte[] block)
                {
                    var table = s_table.Value;
                    uint crc = 0;
                    foreach (var b in block) crc = table[(crc ^ b) & 0xff] ^ (crc >> 8);
                    return crc;
                }
            }
        }
        """;

    // 7. IOptionsMonitor in a singleton: the change callback swaps a reference (a plain store), reads are lock-free; a
    // handler reads the current value.
    private const string OptionsMonitorSingleton = """
        namespace Snippet7
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Options;

            public sealed record FeatureFlags(bool NewCheckout, int MaxItems);

            public sealed class Features : IDisposable
            {
                private readonly IDisposable? _subscription;
                private FeatureFlags _current;
                private int _reloads;

                public Features(IOptionsMonitor<FeatureFlags> monitor)
                {
                    _current = monitor.CurrentValue;
                    _subscription = monitor.OnChange((flags, _) => { _current = flags; Interlocked.Increment(ref _reloads); });
                }

                public FeatureFlags Current => Volatile.Read(ref _current);

                public int Reloads => Volatile.Read(ref _reloads);

                public void Dispose() => _subscription?.Dispose();
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app, IServiceCollection services)
                {
                    services.AddSingleton<Features>();
                    app.MapGet("/checkout", (Features features) => features.Current.NewCheckout ? "new" : "old");
                    app.MapGet("/reloads", (Features features) => features.Reloads);
                }
            }
        }
        """;

    // 8. An MVC controller with primary-constructor injection: a static Dictionary used as a cache without a lock (shared
    // by every request), its own per-request field, a scoped service.
    private const string ControllerStaticCache = """
        namespace Snippet8
        {
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Extensions.DependencyInjection;

            public sealed record Rate(string Currency, decimal Value);

            public sealed class RateSource { public Rate Fetch(string currency) => new(currency, 1.1m); }

            [ApiController]
            public sealed class RatesController(RateSource source) : ControllerBase
            {
                private static readonly Dictionary<string, Rate> s_cache = new();
                private static readonly ConcurrentDictionary<string, Rate> s_safeCache = new();
                private int _lookups;

                [HttpGet("rates/{currency}")]
                public Rate Get(string currency)
                {
                    _lookups++;
                    if (!s_cache.TryGetValue(currency, out var rate))
                    {
                        rate = source.Fetch(currency);
                        «2002:s_cache[currency] = rate»;
                    }

                    return rate;
                }

                [HttpGet("safe/{currency}")]
                public Rate GetSafe(string currency) => s_safeCache.GetOrAdd(currency, source.Fetch);

                public static void Register(IServiceCollection services) => services.AddScoped<RateSource>();
            }
        }
        """;

    // 9. A SignalR hub with a primary-constructor singleton tracking presence in a ConcurrentDictionary, and a static
    // HashSet of connection ids written by every connection.
    private const string HubPresence = """
        namespace Snippet9
        {
            using Microsoft.AspNetCore.SignalR;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class Presence
            {
                private readonly ConcurrentDictionary<string, DateTime> _online = new();
                public void Join(string id) => _online[id] = DateTime.UtcNow;
                public void Leave(string id) => _online.TryRemove(id, out _);
                public int Count => _online.Count;
            }

            public sealed class LobbyHub(Presence presence) : Hub
            {
                private static readonly HashSet<string> s_connections = new();

                public override Task OnConnectedAsync()
                {
                    presence.Join(Context.ConnectionId);
                    «2002:s_connections.Add(Context.ConnectionId)»;
                    return base.OnConnectedAsync();
                }

                public override Task OnDisconnectedAsync(Exception? exception)
                {
                    presence.Leave(Context.ConnectionId);
                    return base.OnDisconnectedAsync(exception);
                }

                public int Online() => presence.Count;

                public static void Register(IServiceCollection services) => services.AddSingleton<Presence>();
            }
        }
        """;

    // 10. An IHostedService with a periodic Timer: one callback counts with Interlocked (the docs' fixed template), one
    // under `lock` on a Lock, one with a `record struct` snapshot read-modify-written unguarded.
    private const string TimedHostedService = """
        namespace Snippet10
        {
            using Microsoft.Extensions.Hosting;

            public readonly record struct Window(int Count, long Bytes);

            public sealed class TrafficSampler : IHostedService, IDisposable
            {
                private readonly Lock _gate = new();
                private int _executionCount;
                private long _bytes;
                private Window _window;
                private Timer? _count;
                private Timer? _sum;
                private Timer? _roll;

                public Task StartAsync(CancellationToken cancellationToken)
                {
                    _count = new Timer(DoWork, null, TimeSpan.Zero, TimeSpan.FromSeconds(5));
                    _sum = new Timer(_ => { lock (_gate) { _bytes += Environment.TickCount & 0xff; } }, null, 0, 1000);
                    _roll = new Timer(_ => «2002:_window = _window with { Count = _window.Count + 1 }», null, 0, 1000);
                    return Task.CompletedTask;
                }

                private void DoWork(object? state)
                {
                    var count = Interlocked.Increment(ref _executionCount);
                    Console.WriteLine("Timed Hosted Service is working. Count: " + count);
                }

                public Task StopAsync(CancellationToken cancellationToken)
                {
                    _count?.Change(Timeout.Infinite, 0);
                    return Task.CompletedTask;
                }

                public void Dispose() { _count?.Dispose(); _sum?.Dispose(); _roll?.Dispose(); }
            }
        }
        """;

    // 11. Async code that blocks or holds a thread-affine lock: Lazy<Task<T>>.Value.Result in an async method, a cached
    // task kept in a local that holds only complete tasks awaited under Monitor, SemaphoreSlim.Wait in an async method.
    private const string AsyncBlocking = """
        namespace Snippet11
        {
            public sealed class ConfigClient
            {
                private readonly Lazy<Task<string>> _config = new(() => LoadAsync());
                private readonly SemaphoreSlim _throttle = new(4);
                private readonly object _sync = new();
                private string _last = "";

                private static async Task<string> LoadAsync() { await Task.Delay(10); return "cfg"; }

                public async Task<string> ReadAsync()
                {
                    var cfg = «2003:_config.Value.Result»;
                    «2003:_throttle.Wait()»;
                    try { await Task.Delay(1); return cfg; }
                    finally { _throttle.Release(); }
                }

                public async Task<string> CachedAsync(bool refresh)
                {
                    Task<string> pending = Task.FromResult(_last);
                    if (!refresh) pending = Task.FromResult("cached");
                    Monitor.Enter(_sync);
                    try
                    {
                        _last = await pending;
                        return _last;
                    }
                    finally { Monitor.Exit(_sync); }
                }

                public async Task RefreshAsync()
                {
                    Monitor.Enter(_sync);
                    try { _last = «2007:await LoadAsync()»; }
                    finally { Monitor.Exit(_sync); }
                }
            }
        }
        """;

    // 12. A Blazor Server component: a static visitor count and a static log, an event from a singleton handed to
    // InvokeAsync, its own fields, a static read-only lookup.
    private const string BlazorDashboard = """
        namespace Snippet12
        {
            using Microsoft.AspNetCore.Components;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class Alerts { public event Action<string>? Raised; public void Raise(string m) => Raised?.Invoke(m); }

            public sealed class Dashboard : ComponentBase, IDisposable
            {
                private static int s_viewers;
                private static readonly List<string> s_recent = new();
                private static readonly Dictionary<string, string> s_icons = new() { ["warn"] = "!", ["info"] = "i" };
                private readonly List<string> _mine = new();
                private string _icon = "";

                [Inject] private Alerts Alerts { get; set; } = default!;

                protected override void OnInitialized()
                {
                    «2002:s_viewers++»;
                    Alerts.Raised += OnRaised;
                }

                private void OnRaised(string message) => InvokeAsync(() =>
                {
                    _mine.Add(message);
                    «2002:s_recent.Add(message)»;
                    _icon = s_icons.TryGetValue("warn", out var i) ? i : "";
                    StateHasChanged();
                });

                public void Dispose() { Interlocked.Decrement(ref s_viewers); Alerts.Raised -= OnRaised; }

                public static void Register(IServiceCollection services) => services.AddSingleton<Alerts>();
            }
        }
        """;

    // 13. A console pipeline: Task.Run per partition in a loop, results gathered in a List without a lock (and in a
    // ConcurrentBag), a record accumulator combined with Interlocked.CompareExchange, a counter of a `for` loop.
    private const string ConsolePartitions = """
        namespace Snippet13
        {
            public sealed record Totals(long Lines, long Words);

            public static class WordCount
            {
                public static async Task<Totals> CountAsync(string[] lines, int partitions)
                {
                    var perPartition = new List<long>();
                    var bag = new ConcurrentBag<long>();
                    Totals totals = new(0, 0);
                    var tasks = new List<Task>();
                    for (var p = 0; p < partitions; p++)
                    {
                        var part = p;
                        tasks.Add(Task.Run(() =>
                        {
                            long words = 0;
                            for (var i = part; i < lines.Length; i += partitions) words += lines[i].Split(' ').Length;
                            «2002:perPartition.Add(words)»;
                            bag.Add(words);
                            Totals seen, next;
                            do
                            {
                                seen = Volatile.Read(ref totals);
                                next = seen with { Words = seen.Words + words };
                            }
                            while (Interlocked.CompareExchange(ref totals, next, seen) != seen);
                        }));
                    }

                    await Task.WhenAll(tasks);
                    return totals with { Lines = lines.Length };
                }
            }
        }
        """;


    // 14. A Blazor Server component's static helpers: a Regex made lazily, a static ImmutableList swapped with
    // ImmutableInterlocked.Update, a static Lazy<T>, a static counter under a Lock.
    private const string BlazorStaticHelpers = """
        namespace Snippet14
        {
            using System.Collections.Immutable;
            using System.Text.RegularExpressions;
            using Microsoft.AspNetCore.Components;

            public sealed class SearchBox : ComponentBase
            {
                private static Regex? s_tokens;
                private static ImmutableList<string> s_recentQueries = ImmutableList<string>.Empty;
                private static readonly Lazy<string[]> s_stopWords = new(() => new[] { "a", "the" });
                private static readonly Lock s_gate = new();
                private static int s_searches;
                private string[] _terms = [];

                private Task OnSearchAsync(string query)
                {
                    s_tokens ??= new Regex("\\w+", RegexOptions.Compiled);
                    _terms = s_tokens.Matches(query).Select(m => m.Value).Except(s_stopWords.Value).ToArray();
                    ImmutableInterlocked.Update(ref s_recentQueries, list => list.Add(query));
                    lock (s_gate) { s_searches++; }
                    return InvokeAsync(StateHasChanged);
                }
            }
        }
        """;

    // 15. A [Reentrant] grain fanning out with Task.WhenAll of Select(async ...) over its own fields, a static
    // ConcurrentDictionary shared by all activations, a RegisterTimer-style callback.
    private const string ReentrantFanOut = """
        namespace Snippet15
        {
            using Orleans;
            using Orleans.Concurrency;

            public interface ICatalogGrain : IGrainWithStringKey { Task<int> RefreshAsync(IReadOnlyList<string> skus); }

            [Reentrant]
            public sealed class CatalogGrain : Grain, ICatalogGrain
            {
                private static readonly ConcurrentDictionary<string, int> s_shared = new();
                private readonly Dictionary<string, int> _stock = new();
                private int _refreshes;

                public async Task<int> RefreshAsync(IReadOnlyList<string> skus)
                {
                    _refreshes++;
                    await Task.WhenAll(skus.Select(async sku =>
                    {
                        var n = await LoadAsync(sku);
                        _stock[sku] = n;
                        s_shared.AddOrUpdate(sku, n, (_, old) => Math.Max(old, n));
                    }));
                    return _stock.Count;
                }

                private static Task<int> LoadAsync(string sku) => Task.FromResult(sku.Length);
            }
        }
        """;

    // 16. A console worker pool: async local functions started with Task.WhenAll, a captured counter written after an
    // await (shared by the workers), a Channel, a volatile stop flag.
    private const string AsyncWorkerPool = """
        namespace Snippet16
        {
            using System.Threading.Channels;

            public static class Crawler
            {
                private static volatile bool s_stop;

                public static async Task<int> RunAsync(IEnumerable<string> urls, int workers)
                {
                    var queue = Channel.CreateUnbounded<string>();
                    foreach (var url in urls) queue.Writer.TryWrite(url);
                    queue.Writer.Complete();
                    var fetched = 0;
                    var safe = 0;
                    await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => WorkAsync()));
                    return fetched + safe;

                    async Task WorkAsync()
                    {
                        await foreach (var url in queue.Reader.ReadAllAsync())
                        {
                            if (s_stop) return;
                            await Task.Delay(url.Length);
                            «2002:fetched++»;
                            Interlocked.Increment(ref safe);
                        }
                    }
                }

                public static void Stop() => s_stop = true;
            }
        }
        """;

    // 17. Synchronous MVC action waiting on an async service (sync over async), and a WPF-style async handler that skips
    // a refresh when one runs (Monitor.TryEnter) but awaits while holding it.
    private const string SyncOverAsync = """
        namespace Snippet17
        {
            using Microsoft.AspNetCore.Mvc;

            public sealed class OrdersService { public async Task<int> CountAsync() { await Task.Delay(1); return 3; } }

            public sealed class OrdersController(OrdersService orders) : ControllerBase
            {
                [HttpGet("orders/count")]
                public int Count() => «2003:orders.CountAsync().Result»;

                [HttpGet("orders/count2")]
                public async Task<int> CountAsync() => await orders.CountAsync();
            }

            public sealed class RefreshCommand
            {
                private readonly object _busy = new();
                private readonly Lazy<Task<int>> _first = new(() => Task.FromResult(0));

                public async Task ExecuteAsync()
                {
                    if (!Monitor.TryEnter(_busy)) return;
                    try
                    {
                        «2007:await Task.Delay(100)»;
                    }
                    finally { Monitor.Exit(_busy); }
                }

                public async Task<int> FirstAsync() => await _first.Value;
            }
        }
        """;

    public static TheoryData<string, string> Snippets => new()
    {
        { "1 minimal API, Lock", MinimalApiRateLimiter },
        { "2 hosted service, ImmutableInterlocked", HostedServiceWithSnapshots },
        { "3 ConcurrentDictionary singleton", ConcurrentCacheSingleton },
        { "4 Orleans grains", OrleansGrains },
        { "5 WPF view model", WpfViewModel },
        { "6 console local functions", ConsoleLocalFunctions },
        { "7 IOptionsMonitor", OptionsMonitorSingleton },
        { "8 controller static cache", ControllerStaticCache },
        { "9 SignalR presence", HubPresence },
        { "10 timed hosted service", TimedHostedService },
        { "11 async blocking", AsyncBlocking },
        { "12 Blazor dashboard", BlazorDashboard },
        { "13 console partitions", ConsolePartitions },
        { "14 Blazor static helpers", BlazorStaticHelpers },
        { "15 reentrant grain fan-out", ReentrantFanOut },
        { "16 async worker pool", AsyncWorkerPool },
        { "17 sync over async, TryEnter", SyncOverAsync },
    };

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Lost_updates(string name, string snippet)
    {
        _ = name;
        await BRG2002.AnalyzerAsync(Stubs + Only(snippet, "2002"));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Blocking(string name, string snippet)
    {
        _ = name;
        await BRG2003.AnalyzerAsync(Stubs + Only(snippet, "2003"));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Thread_affine_locks(string name, string snippet)
    {
        _ = name;
        await BRG2007.AnalyzerAsync(Stubs + Only(snippet, "2007"));
    }

    // The snippet with the marks of one rule as the harness's markup, the others' dropped.
    private static string Only(string snippet, string rule) =>
        System.Text.RegularExpressions.Regex.Replace(snippet, "«(\\d{4}):(.*?)»", m => m.Groups[1].Value == rule ? "[|" + m.Groups[2].Value + "|]" : m.Groups[2].Value);
}
