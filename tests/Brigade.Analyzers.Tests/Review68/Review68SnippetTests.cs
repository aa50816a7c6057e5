using BRG2001 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2001LockOrderInversionAnalyzer>;
using BRG2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;
using BRG2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;
using BRG2004 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;
using BRG2007 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2007ThreadAffineLockAcrossAwaitAnalyzer>;
using BRG2008 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2008NestedTaskNotUnwrappedAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68: twenty snippets of concurrent C# as users write it, not shaped like the rules' tests: controllers and
// minimal APIs with singletons and static caches, BackgroundService loops, Parallel.ForEachAsync with shared state,
// Interlocked used half-way, check-then-act on dictionaries, Lazy<T> and double-checked locking, SemaphoreSlim, lock(this),
// lock(typeof(X)) and locks on strings, Task.Run in `for` and `foreach` loops, ValueTask, List.ForEach(async ...), timers,
// events, volatile, Thread.Sleep in async code, GetAwaiter().GetResult() in constructors; and three more (21-23) of shapes
// probed for false reports. Each snippet is run through the six rules that read code without Brigade (BRG2001-BRG2004,
// BRG2007, BRG2008); `«2002:...»` marks what a rule reports (true reports only; the harness's `[|...|]` for that rule,
// dropped for the others). What no rule covers is said in a comment (`no rule`) and listed in docs/analyzers.md.
// Before review 68: BRG2002 reported the writes of a Task.Run waited for in its own loop iteration (21: four, false) and the
// lazy initialisation of a Regex and a string in a controller action and a handler (22: three, false); it missed
// `_inFlight++` under a SemaphoreSlim(3) throttle (8) and `_counts[w]++`, `+= 2` and `= GetValueOrDefault(w) + 1` on a
// ConcurrentDictionary (22). BRG2003 reported `t.Result` of tasks filtered by `Where(t => t.IsCompleted...)` (23: two,
// false).
public sealed class Review68SnippetTests
{
    // Stubs beyond review 67's.
    private const string MoreStubs = """
        namespace Microsoft.AspNetCore.Mvc
        {
            [AttributeUsage(AttributeTargets.Method)] public sealed class HttpPostAttribute : Attribute { public HttpPostAttribute(string template = "") { } }
        }

        """;

    // 1. An MVC controller's static cache filled check-then-act: ContainsKey then Add on a Dictionary (a race: two
    // requests add the same key, or corrupt the table), the same on a ConcurrentDictionary (last writer wins, benign), a
    // plain store of a timestamp.
    private const string ControllerStaticCache = """
        namespace S1
        {
            using Microsoft.AspNetCore.Mvc;

            [ApiController]
            public sealed class CurrencyController : ControllerBase
            {
                private static readonly Dictionary<string, decimal> s_rates = new();
                private static readonly ConcurrentDictionary<string, decimal> s_safeRates = new();
                private static DateTime s_lastRequest;

                [HttpGet("rates/{code}")]
                public decimal Get(string code)
                {
                    if (!s_rates.ContainsKey(code)) «2002:s_rates.Add(code, Lookup(code))»;
                    if (!s_safeRates.ContainsKey(code)) s_safeRates[code] = Lookup(code);
                    s_lastRequest = DateTime.UtcNow;
                    return s_rates[code];
                }

                private static decimal Lookup(string code) => code.Length / 10m;
            }
        }
        """;

    // 2. Minimal API: a singleton whose one method locks and one does not, a static list of recent paths.
    private const string MinimalApiSingleton = """
        namespace S2
        {
            using Microsoft.AspNetCore.Builder;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class VisitCounter
            {
                private readonly object _gate = new();
                private readonly Dictionary<string, int> _perPath = new();
                private int _total;

                public void Record(string path)
                {
                    lock (_gate)
                    {
                        _total++;
                        _perPath[path] = _perPath.GetValueOrDefault(path) + 1;
                    }
                }

                public void RecordFast() => _total++;

                public int Total { get { lock (_gate) { return _total; } } }
            }

            public static class Endpoints
            {
                private static readonly List<string> s_recent = new();

                public static void Map(WebApplication app, IServiceCollection services)
                {
                    services.AddSingleton<VisitCounter>();
                    app.MapGet("/a", (VisitCounter visits) => { visits.Record("/a"); return visits.Total; });
                    app.MapGet("/b", (VisitCounter visits) =>
                    {
                        «2002:visits.RecordFast()»;
                        «2002:s_recent.Add("/b")»;
                        return visits.Total;
                    });
                }
            }
        }
        """;

    // 3. A BackgroundService loop: one flow writes its fields (not a race), but sleeps the pool thread between batches.
    private const string BackgroundServiceLoop = """
        namespace S3
        {
            using Microsoft.Extensions.Hosting;

            public sealed class OutboxWorker : BackgroundService
            {
                private readonly List<string> _errors = new();
                private int _sent;

                public int Sent => _sent;

                protected override async Task ExecuteAsync(CancellationToken stoppingToken)
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        try
                        {
                            await SendBatchAsync(stoppingToken);
                            _sent++;
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            _errors.Add(ex.Message);
                        }

                        «2003:Thread.Sleep(TimeSpan.FromSeconds(5))»;
                    }
                }

                private static Task SendBatchAsync(CancellationToken ct) => Task.Delay(10, ct);
            }
        }
        """;

    // 4. Parallel.ForEachAsync with shared counters, a dictionary, a ConcurrentBag, Interlocked, and a list guarded by a
    // SemaphoreSlim(1, 1) used as an async lock.
    private const string ForEachAsyncShared = """
        namespace S4
        {
            using System.Net.Http;

            public static class Downloader
            {
                public static async Task<(int Ok, long Bytes, List<string> Failed, Dictionary<string, int> Sizes)> RunAsync(HttpClient http, string[] urls)
                {
                    var ok = 0;
                    long bytes = 0;
                    var failed = new List<string>();
                    var sizes = new Dictionary<string, int>();
                    var seen = new ConcurrentBag<string>();
                    var gate = new SemaphoreSlim(1, 1);
                    await Parallel.ForEachAsync(urls, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (url, ct) =>
                    {
                        try
                        {
                            var body = await http.GetStringAsync(url, ct);
                            Interlocked.Increment(ref ok);
                            «2002:bytes += body.Length»;
                            «2002:sizes[url] = body.Length»;
                            seen.Add(url);
                        }
                        catch (HttpRequestException)
                        {
                            await gate.WaitAsync(ct);
                            try { failed.Add(url); } finally { gate.Release(); }
                        }
                    });
                    return (ok, bytes, failed, sizes);
                }
            }
        }
        """;

    // 5. Interlocked used half-way: the count is atomic, the maximum beside it is check-then-act, an error count is not.
    private const string InterlockedHalfWay = """
        namespace S5
        {
            public sealed class Throughput
            {
                private long _count;
                private long _max;
                private int _errors;

                public void Process(IEnumerable<int> items)
                {
                    Parallel.ForEach(items, item =>
                    {
                        var n = Interlocked.Increment(ref _count);
                        if (n > _max) «2002:_max = n»;
                        if (item < 0) «2002:_errors++»;
                    });
                }

                public void Reset() => Interlocked.Exchange(ref _count, 0);
            }
        }
        """;

    // 6. A ConcurrentDictionary of Lists filled check-then-act: the dictionary is safe, the List<T> each value is is not
    // (two threads of one domain Add to the same list), and the check-then-store may replace a list another thread filled.
    private const string ConcurrentDictionaryOfLists = """
        namespace S6
        {
            public static class Grouping
            {
                public static ConcurrentDictionary<string, List<string>> ByDomain(IEnumerable<string> emails)
                {
                    var groups = new ConcurrentDictionary<string, List<string>>();
                    var counts = new ConcurrentDictionary<string, int>();
                    Parallel.ForEach(emails, email =>
                    {
                        var domain = email[(email.IndexOf('@') + 1)..];
                        if (!groups.ContainsKey(domain)) groups[domain] = new List<string>();
                        groups[domain].Add(email);
                        groups.GetOrAdd(domain, _ => new List<string>()).Add(email);
                        counts.AddOrUpdate(domain, 1, (_, n) => n + 1);
                    });
                    return groups;
                }
            }
        }
        """;

    // 7. Lazy<T> and double-checked locking, right (Lazy, DCL with the store under the lock) and wrong (the check outside
    // only: two threads may both load, benign for a settings object; an empty Dictionary made without a lock, whose adds
    // are lost with the copy that loses the race).
    private const string LazyAndDoubleChecked = """
        namespace S7
        {
            public sealed class Settings { public static Settings Load() => new(); }

            public static class Config
            {
                private static readonly Lazy<Settings> s_lazy = new(Settings.Load);
                private static readonly object s_gate = new();
                private static volatile Settings? s_right;
                private static Settings? s_loose;
                private static Dictionary<string, string>? s_table;

                public static Settings Right
                {
                    get
                    {
                        if (s_right == null)
                        {
                            lock (s_gate)
                            {
                                if (s_right == null) s_right = Settings.Load();
                            }
                        }

                        return s_right;
                    }
                }

                public static Settings Loose
                {
                    get
                    {
                        if (s_loose == null) { lock (s_gate) { s_loose = Settings.Load(); } }
                        return s_loose;
                    }
                }

                public static void Warm(string[] keys)
                {
                    Parallel.ForEach(keys, key =>
                    {
                        _ = s_lazy.Value;
                        _ = Right;
                        _ = Loose;
                        if (s_table == null) «2002:s_table = new Dictionary<string, string>()»;
                        lock (s_gate) { s_table![key] = key; }
                    });
                }
            }
        }
        """;

    // 8. SemaphoreSlim: a throttle of three (not a lock: three bodies at once write `_inFlight`), a permit not released
    // when the upload throws (no rule), and a SemaphoreSlim(1, 1) as an async lock.
    private const string SemaphoreThrottle = """
        namespace S8
        {
            public sealed class Uploader
            {
                private readonly SemaphoreSlim _throttle = new(3);
                private readonly SemaphoreSlim _mutex = new(1, 1);
                private long _uploaded;
                private int _inFlight;

                public async Task UploadAllAsync(IEnumerable<string> files)
                {
                    await Task.WhenAll(files.Select(async file =>
                    {
                        await _throttle.WaitAsync();
                        «2002:_inFlight++»;
                        await UploadAsync(file);
                        _throttle.Release();
                        await _mutex.WaitAsync();
                        try { _uploaded += file.Length; } finally { _mutex.Release(); }
                    }));
                }

                private static Task UploadAsync(string file) => Task.Delay(file.Length);
            }
        }
        """;

    // 9. lock(this), lock(typeof(X)) and a lock on a string literal (interned: one object for the whole process), each
    // taken in both orders; a parallel loop writing under lock(this).
    private const string PublicLockObjects = """
        namespace S9
        {
            public sealed class Ledger
            {
                private readonly object _audit = new();
                private int _entries;

                public void Post() { lock (this) { lock («2001:_audit») { _entries++; } } }

                public void Audit() { lock (_audit) { lock («2001:this») { _entries--; } } }

                public static void Configure() { lock (typeof(Ledger)) { lock («2001:"ledger-config"») { } } }

                public static void Reload() { lock ("ledger-config") { lock («2001:typeof(Ledger)») { } } }

                public void Bulk(int[] amounts) => Parallel.ForEach(amounts, a => { lock (this) { _entries += a; } });
            }
        }
        """;

    // 10. Task.Run in a `for` loop (its variable is one for the loop: every task may read the last `i`; no rule reads
    // captured reads) and in a `foreach` (one variable per iteration since C# 5); shared counters in both.
    private const string TaskRunInLoops = """
        namespace S10
        {
            public static class Fanout
            {
                public static async Task<int[]> SquaresAsync(int n)
                {
                    var results = new int[n];
                    var tasks = new List<Task>();
                    var done = 0;
                    var sum = 0;
                    for (var i = 0; i < n; i++)
                    {
                        tasks.Add(Task.Run(() => { results[i] = i * i; «2002:done++»; }));
                    }

                    foreach (var k in Enumerable.Range(0, n))
                    {
                        tasks.Add(Task.Run(() => { results[k] = k * k; «2002:sum += k»; }));
                    }

                    await Task.WhenAll(tasks);
                    return results;
                }
            }
        }
        """;

    // 11. ValueTask: awaited twice (no rule), its Result read without awaiting in an async method, one made complete.
    private const string ValueTasks = """
        namespace S11
        {
            public sealed class Reader
            {
                private int _calls;

                public ValueTask<int> ReadAsync() { _calls++; return _calls % 2 == 0 ? new ValueTask<int>(_calls) : new ValueTask<int>(SlowAsync()); }

                public async Task<int> TwiceAsync()
                {
                    var pending = ReadAsync();
                    var a = await pending;
                    var b = await pending;
                    return a + b;
                }

                public async Task<int> PeekAsync()
                {
                    await Task.Yield();
                    var pending = ReadAsync();
                    return «2003:pending.Result»;
                }

                public async Task<int> CachedAsync()
                {
                    var ready = new ValueTask<int>(42);
                    await Task.Yield();
                    return ready.Result;
                }

                private static async Task<int> SlowAsync() { await Task.Delay(1); return 1; }
            }
        }
        """;

    // 12. List<T>.ForEach with an async lambda (async void: ForEach returns at each first await; no rule lists
    // List.ForEach, BRG2004 reads parallel APIs and timers) and with a blocking one inside an async method.
    private const string ListForEachAsync = """
        namespace S12
        {
            public sealed class Notifier
            {
                public async Task NotifyAllAsync(List<string> users)
                {
                    users.ForEach(async user => await SendAsync(user));
                    users.ForEach(user => «2003:SendAsync(user).Wait()»);
                    foreach (var user in users) await SendAsync(user);
                }

                private static Task SendAsync(string user) => Task.Delay(user.Length);
            }
        }
        """;

    // 13. A hosted service's timers: a System.Threading.Timer with a period calling a method by name, a System.Timers.Timer
    // whose Elapsed handler clears a list the other fills, a one-shot timer re-armed by its callback.
    private const string HostedServiceTimers = """
        namespace S13
        {
            using Microsoft.Extensions.Hosting;

            public sealed class HeartbeatService : IHostedService, IDisposable
            {
                private readonly System.Timers.Timer _cleanup = new(60_000);
                private readonly List<DateTime> _history = new();
                private Timer? _beat;
                private Timer? _once;
                private DateTime _last;
                private int _beats;
                private int _rearmed;

                public Task StartAsync(CancellationToken cancellationToken)
                {
                    _beat = new Timer(Beat, null, TimeSpan.Zero, TimeSpan.FromSeconds(1));
                    _cleanup.Elapsed += (_, _) => «2002:_history.Clear()»;
                    _cleanup.Start();
                    _once = new Timer(_ => { _rearmed++; _once!.Change(1000, Timeout.Infinite); }, null, 1000, Timeout.Infinite);
                    return Task.CompletedTask;
                }

                private void Beat(object? state)
                {
                    _last = DateTime.UtcNow;
                    «2002:_beats++»;
                    «2002:_history.Add(_last)»;
                }

                public Task StopAsync(CancellationToken cancellationToken) { _beat?.Change(Timeout.Infinite, 0); _cleanup.Stop(); return Task.CompletedTask; }

                public void Dispose() { _beat?.Dispose(); _once?.Dispose(); _cleanup.Dispose(); }
            }
        }
        """;

    // 14. Events: raised without a copy (`if (Changed != null) Changed(...)`: a race with the last unsubscribe; no rule),
    // subscribed from a parallel loop (a field-like event's add is atomic: not a lost update), raised with `?.Invoke`.
    private const string Events = """
        namespace S14
        {
            public sealed class Progress
            {
                private int _percent;

                public event EventHandler<int>? Changed;

                public int Percent => _percent;

                public void Report(int percent)
                {
                    _percent = percent;
                    if (Changed != null) Changed(this, percent);
                }

                public static void Watch(Progress[] all, EventHandler<int> handler) => Parallel.ForEach(all, p => p.Changed += handler);

                public void Run(int[] steps) => Parallel.ForEach(steps, step => { Report(step); Changed?.Invoke(this, step); });
            }
        }
        """;

    // 15. volatile: a stop flag polled by spinning workers (fine), a volatile counter incremented by them (volatile does
    // not make ++ atomic), a plain bool spun on (may never see the store; no rule).
    private const string VolatileSpin = """
        namespace S15
        {
            public sealed class Pump
            {
                private volatile bool _stop;
                private volatile int _pumped;
                private bool _ready;

                public void Run(int workers)
                {
                    var threads = new List<Thread>();
                    for (var w = 0; w < workers; w++)
                    {
                        var t = new Thread(() =>
                        {
                            while (!_ready) { }
                            while (!_stop) «2002:_pumped++»;
                        });
                        t.Start();
                        threads.Add(t);
                    }

                    _ready = true;
                    Thread.Sleep(100);
                    _stop = true;
                    threads.ForEach(t => t.Join());
                }

                public int Pumped => _pumped;
            }
        }
        """;

    // 16. Thread.Sleep and Task.Wait in async methods and in Task.Run; an await-based poll loop.
    private const string SleepInAsync = """
        namespace S16
        {
            public sealed class RetryPolicy
            {
                public async Task<T> ExecuteAsync<T>(Func<Task<T>> action, int attempts)
                {
                    for (var i = 1; ; i++)
                    {
                        try
                        {
                            return await action();
                        }
                        catch (Exception) when (i < attempts)
                        {
                            «2003:Thread.Sleep(100 * i)»;
                        }
                    }
                }

                public async Task WarmAsync() { await Task.Yield(); «2003:Task.Delay(50).Wait()»; }

                public Task LaterAsync() => Task.Run(() => «2003:Thread.Sleep(10)»);

                public async Task PollAsync(Func<bool> done) { while (!done()) await Task.Delay(10); }
            }
        }
        """;

    // 17. GetAwaiter().GetResult() in constructors: a singleton's (once, at resolution) and a controller's (every request,
    // on a pool thread: sync over async as in an action; no rule reads constructors).
    private const string BlockingConstructors = """
        namespace S17
        {
            using Microsoft.AspNetCore.Mvc;

            public sealed class CatalogClient { public async Task<string[]> LoadAsync() { await Task.Delay(1); return ["a"]; } }

            public sealed class CatalogIndex
            {
                private readonly string[] _names;

                public CatalogIndex(CatalogClient client) { _names = client.LoadAsync().GetAwaiter().GetResult(); }

                public int Count => _names.Length;
            }

            public sealed class CatalogController : ControllerBase
            {
                private readonly string[] _names;

                public CatalogController(CatalogClient client) { _names = client.LoadAsync().GetAwaiter().GetResult(); }

                [HttpGet("catalog/count")]
                public int Count() => _names.Length;

                [HttpGet("catalog/first")]
                public string First(CatalogClient client) => «2003:client.LoadAsync().GetAwaiter().GetResult()»[0];
            }
        }
        """;

    // 18. Parallel.ForEach with thread-local totals: combined with Interlocked.Add (right) and with += (localFinally runs
    // once per worker, concurrently).
    private const string LocalFinally = """
        namespace S18
        {
            public static class Stats
            {
                public static (long Right, long Wrong) Sum(int[] xs)
                {
                    long right = 0;
                    long wrong = 0;
                    Parallel.ForEach(xs, () => 0L, (x, _, local) => local + x, local => Interlocked.Add(ref right, local));
                    Parallel.ForEach(xs, () => 0L, (x, _, local) => local + x, local => «2002:wrong += local»);
                    return (right, wrong);
                }
            }
        }
        """;

    // 19. Two SemaphoreSlim(1, 1) async locks taken in opposite orders; a ReaderWriterLockSlim read lock held across an
    // await; a SemaphoreSlim held across one (fine).
    private const string AsyncLocks = """
        namespace S19
        {
            public sealed class Transfers
            {
                private readonly SemaphoreSlim _from = new(1, 1);
                private readonly SemaphoreSlim _to = new(1, 1);
                private readonly ReaderWriterLockSlim _rates = new();
                private decimal _rate = 1m;

                public async Task MoveAsync()
                {
                    await _from.WaitAsync();
                    try
                    {
                        await «2001:_to.WaitAsync()»;
                        try { await Task.Delay(1); } finally { _to.Release(); }
                    }
                    finally { _from.Release(); }
                }

                public async Task RefundAsync()
                {
                    await _to.WaitAsync();
                    try
                    {
                        await «2001:_from.WaitAsync()»;
                        try { await Task.Delay(1); } finally { _from.Release(); }
                    }
                    finally { _to.Release(); }
                }

                public async Task<decimal> RateAsync()
                {
                    _rates.EnterReadLock();
                    try
                    {
                        «2007:await Task.Delay(1)»;
                        return _rate;
                    }
                    finally { _rates.ExitReadLock(); }
                }
            }
        }
        """;

    // 20. BackgroundService.ExecuteAsync returning StartNew(async ..., LongRunning): the host sees the service done at the
    // loop's first await and an exception after it is lost; the synchronous twin on a dedicated thread is fine, and so is
    // its Thread.Sleep; an async lambda given to new Thread.
    private const string LongRunningWorkers = """
        namespace S20
        {
            using Microsoft.Extensions.Hosting;

            public sealed class QueueWorker : BackgroundService
            {
                protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
                    Task.Factory.StartNew(«2008:async () =>»
                    {
                        while (!stoppingToken.IsCancellationRequested) await Task.Delay(1000, stoppingToken);
                    }, TaskCreationOptions.LongRunning);
            }

            public sealed class SyncWorker : BackgroundService
            {
                protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
                    Task.Factory.StartNew(() => Loop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

                private static void Loop(CancellationToken ct) { while (!ct.IsCancellationRequested) Thread.Sleep(1000); }
            }

            public static class Listener
            {
                public static void Start(Func<Task> serve) => new Thread(«2004:async () =>» await serve()) { IsBackground = true }.Start();
            }
        }
        """;

    // 21. Shapes that could be read wrong (review 68's probes, none reported before but the true waits): Task.Run in a loop
    // waited for in its iteration (`var t = Task.Run(...); await t;`, `.Wait()`, `.GetAwaiter().GetResult()`: one body at a
    // time, reported by BRG2002 before this review, now not; the waits themselves block the async method, BRG2003), PLINQ
    // materialised then walked with List.ForEach (sequential), a List.ForEach and Array.ForEach inside a parallel body on
    // its own locals, lambdas written under a lock that run later elsewhere (a timer, Task.Run: no lock-order edge), the
    // Monitor.Enter(o, ref taken) and SpinLock.Enter(ref taken) idiom released in `finally { if (taken) ... }` before an
    // await, a timer callback whose catch-all comes after a narrower catch, waits that only try.
    private const string Probes = """
        namespace S21
        {
            public sealed class Jobs
            {
                private int _done;
                private readonly object _a = new();
                private readonly object _b = new();
                private readonly object _gate = new();
                private SpinLock _spin = new();
                private Timer? _timer;

                public async Task SequentialAsync(string[] files)
                {
                    var processed = 0;
                    foreach (var f in files)
                    {
                        var t = Task.Run(() => { processed++; _done++; });
                        await t;
                    }
                    for (var i = 0; i < files.Length; i++)
                    {
                        «2003:Task.Run(() => processed++).Wait()»;
                        «2003:Task.Run(() => { _done++; }).GetAwaiter().GetResult()»;
                    }
                }

                public List<int> Plinq(int[] items)
                {
                    var results = new List<int>();
                    var count = 0;
                    items.AsParallel().Where(x => x > 0).ToList().ForEach(x => { results.Add(x); count++; });
                    foreach (var x in items.AsParallel().Select(x => x * 2)) results.Add(x);
                    var arr = items.AsParallel().Select(x => x * 2).ToArray();
                    var again = arr.Select(x => { count++; return x; }).ToList();
                    return results;
                }

                public void Nested(int[][] groups)
                {
                    Parallel.ForEach(groups, g =>
                    {
                        var sum = 0;
                        var seen = new List<int>();
                        g.ToList().ForEach(x => { sum += x; seen.Add(x); });
                        Array.ForEach(g, x => sum += x);
                    });
                }

                public void LambdaUnderLock()
                {
                    lock (_a)
                    {
                        _timer = new Timer(_ => { lock (_b) { _done++; } }, null, 1000, Timeout.Infinite);
                        Task.Run(() => { lock (_b) { _done++; } });
                    }
                }

                public void Reverse() { lock (_b) { lock (_a) { _done++; } } }

                public async Task MonitorRefAsync()
                {
                    var taken = false;
                    try
                    {
                        Monitor.Enter(_gate, ref taken);
                        _done++;
                    }
                    finally
                    {
                        if (taken) Monitor.Exit(_gate);
                    }

                    await Task.Delay(1);
                    var spinTaken = false;
                    try
                    {
                        _spin.Enter(ref spinTaken);
                        _done++;
                    }
                    finally
                    {
                        if (spinTaken) _spin.Exit();
                    }

                    await Task.Delay(1);
                    if (Monitor.TryEnter(_gate, 100))
                    {
                        try { _done++; } finally { Monitor.Exit(_gate); }
                    }

                    await Task.Delay(1);
                }

                public void Timers()
                {
                    _timer = new Timer(async _ =>
                    {
                        try { await Task.Delay(1); }
                        catch (OperationCanceledException) { }
                        catch (Exception ex) { Console.WriteLine(ex); }
                    }, null, 0, 1000);
                }

                public async Task WaitsAsync(SemaphoreSlim s, ManualResetEventSlim e)
                {
                    await Task.Yield();
                    if (s.Wait(TimeSpan.Zero)) s.Release();
                    e.Wait(0);
                    var t = Task.Run(() => 1);
                    if («2003:t.Wait(TimeSpan.FromSeconds(1))») Console.WriteLine(t.Result);
                    void Helper() => Thread.Sleep(10);
                    Helper();
                    ValueTask<int> vt = GetAsync();
                    if (vt.IsCompletedSuccessfully) Console.WriteLine(vt.Result);
                }

                private static ValueTask<int> GetAsync() => new(1);
            }
        }
        """;

    // 22. More shapes (review 68's second probes): lazy initialisation of statics in a controller action and a minimal-API
    // handler (a Regex, a string: benign, reported before this review; an empty List: still reported), a hub's static
    // Dictionary written unguarded and under a lock, ConcurrentDictionary updates through its indexer (`_counts[w]++`:
    // missed before this review), a lock around the check only, async void timer handlers given by name with a catch-all,
    // a re-entered lock (no inversion), a transfer locking two accounts' `_sync` (the instances' order decides: no rule),
    // a named Mutex held across an await (true), Write on a Stream, Thread.Sleep on a thread of its own.
    private const string MoreProbes = """
        namespace S22
        {
            using System.Text.RegularExpressions;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.AspNetCore.SignalR;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class SearchController : ControllerBase
            {
                private static Regex? s_words;
                private static string? s_banner;
                private static List<string>? s_log;

                [HttpGet("search")]
                public int Search(string q)
                {
                    s_words ??= new Regex("\\w+");
                    if (s_banner == null) s_banner = "v" + q.Length;
                    «2002:s_log ??= new List<string>()»;
                    return s_words.Matches(q).Count;
                }
            }

            public static class Api
            {
                private static Regex? s_ids;

                public static void Map(WebApplication app)
                {
                    app.MapGet("/ids", (string s) => (s_ids ??= new Regex("\\d+")).Matches(s).Count);
                }
            }

            public sealed class PresenceHub : Hub
            {
                private static readonly Dictionary<string, string> s_users = new();

                public override Task OnConnectedAsync()
                {
                    «2002:s_users[Context.ConnectionId] = "anon"»;
                    return Task.CompletedTask;
                }

                public void Rename(string name) { lock (s_users) { s_users[Context.ConnectionId] = name; } }
            }

            public sealed class Words
            {
                private readonly ConcurrentDictionary<string, int> _counts = new();
                private readonly HashSet<string> _set = new();
                private readonly object _gate = new();

                public void Count(string[] words)
                {
                    Parallel.ForEach(words, w => «2002:_counts[w]++»);
                    Parallel.ForEach(words, w => «2002:_counts[w] += 2»);
                    Parallel.ForEach(words, w => «2002:_counts[w] = _counts.GetValueOrDefault(w) + 1»);
                    Parallel.ForEach(words, w =>
                    {
                        bool exists;
                        lock (_gate) { exists = _set.Contains(w); }
                        if (!exists) «2002:_set.Add(w)»;
                    });
                }
            }

            public sealed class Poller : IDisposable
            {
                private readonly System.Timers.Timer _timer = new(1000);
                private readonly Timer _threading;
                private readonly object _a = new();
                private readonly object _b = new();
                private int _ticks;

                public Poller()
                {
                    _timer.Elapsed += OnElapsed;
                    _threading = new Timer(OnTick, null, 0, 1000);
                }

                private async void OnElapsed(object? sender, System.Timers.ElapsedEventArgs e)
                {
                    try { await Task.Delay(1); }
                    catch (Exception ex) { Console.WriteLine(ex); }
                }

                private async void OnTick(object? state)
                {
                    try { await Task.Delay(1); }
                    catch (Exception ex) { Console.WriteLine(ex); }
                }

                public void Outer() { lock (_a) { Inner(); } }

                private void Inner() { lock (_a) { _ticks++; } }

                public void Dispose() { _timer.Dispose(); _threading.Dispose(); }
            }

            public sealed class Account
            {
                private readonly object _sync = new();
                private decimal _balance;

                public void Transfer(Account to, decimal amount)
                {
                    lock (_sync)
                    {
                        lock (to._sync)
                        {
                            _balance -= amount;
                            to._balance += amount;
                        }
                    }
                }

                public static void Move(Account from, Account to) { lock (from) { lock (to) { } } }
            }

            public static class Program
            {
                public static async Task<int> MainAsync(Stream output, byte[] data)
                {
                    using var mutex = new Mutex(false, "my-app");
                    if (!mutex.WaitOne(0)) return 1;
                    output.Write(data, 0, data.Length);
                    var ms = new MemoryStream();
                    ms.Write(data, 0, data.Length);
                    var worker = new Thread(() => Thread.Sleep(100));
                    worker.Start();
                    «2007:await Task.Delay(10)»;
                    mutex.ReleaseMutex();
                    return 0;
                }
            }
        }
        """;

    // 23. Third probes (review 68): a check-then-act maximum and a captured struct's field in Parallel.For (true), a
    // per-item object's fields, localFinally under a lock, a Partitioner's ranges; timer callbacks with `using var` or a
    // `finally` around a catch-all; results of tasks filtered as complete after WhenAny (reported before this review,
    // false); WhenAll(...).ContinueWith reading the tasks; Lock.EnterScope and an upgradeable read lock released before an
    // await; StartNew of a lambda returning a task (true).
    private const string ThirdProbes = """
        namespace S23
        {
            public struct Stats { public int Count; }

            public sealed class Order { public decimal Total; public List<decimal> Lines { get; } = new(); }

            public sealed class Reports : IDisposable
            {
                private readonly Lock _lock = new();
                private readonly ReaderWriterLockSlim _rw = new();
                private readonly Timer _timer;
                private readonly Timer _timer2;
                private int _x;

                public Reports()
                {
                    _timer = new Timer(async _ =>
                    {
                        using var cts = new CancellationTokenSource(1000);
                        try { await Task.Delay(1, cts.Token); }
                        catch (Exception ex) { Console.WriteLine(ex); }
                    }, null, 0, 1000);
                    _timer2 = new Timer(async _ =>
                    {
                        try { await Task.Delay(1); }
                        catch (Exception ex) { Console.WriteLine(ex); }
                        finally { Interlocked.Exchange(ref _x, 0); }
                    }, null, 0, 1000);
                }

                public async Task<int> SumAsync(List<Task<int>> tasks, Task<int> a, Task<int> b)
                {
                    await Task.WhenAny(tasks);
                    var done = tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result).Sum();
                    foreach (var t in tasks.Where(t => t.IsCompleted)) done += t.Result;
                    var both = await Task.WhenAll(a, b).ContinueWith(_ => a.Result + b.Result);
                    return done + both;
                }

                public async Task LocksAsync()
                {
                    using (_lock.EnterScope()) { _x++; }
                    await Task.Delay(1);
                    _rw.EnterUpgradeableReadLock();
                    try
                    {
                        if (_x > 0)
                        {
                            _rw.EnterWriteLock();
                            try { _x = 0; } finally { _rw.ExitWriteLock(); }
                        }
                    }
                    finally { _rw.ExitUpgradeableReadLock(); }

                    await Task.Delay(1);
                }

                public Task StartLoop(CancellationToken ct) => Task.Factory.StartNew(«2008:() => LoopAsync(ct)», ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

                private static async Task LoopAsync(CancellationToken ct) { while (!ct.IsCancellationRequested) await Task.Delay(10, ct); }

                public int Max(int[] data, Order[] orders)
                {
                    var max = int.MinValue;
                    var stats = new Stats();
                    var all = new List<int>();
                    var results = new int[data.Length];
                    Parallel.For(0, data.Length, i => { if (data[i] > max) «2002:max = data[i]»; });
                    Parallel.For(0, data.Length, i => «2002:stats.Count++»);
                    Parallel.ForEach(orders, order => { order.Total += order.Lines.Sum(); order.Lines.Add(1m); });
                    Parallel.ForEach(data, () => new List<int>(), (x, _, local) => { local.Add(x); return local; }, local => { lock (all) all.AddRange(local); });
                    Parallel.ForEach(Partitioner.Create(0, data.Length), range =>
                    {
                        for (var i = range.Item1; i < range.Item2; i++) results[i] = data[i] * 2;
                    });
                    return max + stats.Count;
                }

                public void Dispose() { _timer.Dispose(); _timer2.Dispose(); }
            }
        }
        """;

    public static TheoryData<string, string> Snippets => new()
    {
        { "1 controller static cache", ControllerStaticCache },
        { "2 minimal API singleton", MinimalApiSingleton },
        { "3 BackgroundService loop", BackgroundServiceLoop },
        { "4 ForEachAsync shared state", ForEachAsyncShared },
        { "5 Interlocked half-way", InterlockedHalfWay },
        { "6 ConcurrentDictionary of lists", ConcurrentDictionaryOfLists },
        { "7 Lazy and double-checked locking", LazyAndDoubleChecked },
        { "8 SemaphoreSlim throttle", SemaphoreThrottle },
        { "9 lock(this), typeof, string", PublicLockObjects },
        { "10 Task.Run in for and foreach", TaskRunInLoops },
        { "11 ValueTask", ValueTasks },
        { "12 List.ForEach(async ...)", ListForEachAsync },
        { "13 hosted service timers", HostedServiceTimers },
        { "14 events", Events },
        { "15 volatile spin", VolatileSpin },
        { "16 Thread.Sleep in async", SleepInAsync },
        { "17 blocking constructors", BlockingConstructors },
        { "18 localFinally", LocalFinally },
        { "19 async locks", AsyncLocks },
        { "20 LongRunning workers", LongRunningWorkers },
        { "21 probes", Probes },
        { "22 more probes", MoreProbes },
        { "23 third probes", ThirdProbes },
    };

    [Theory]
    [MemberData(nameof(Snippets))]
    public Task Lock_order(string name, string snippet) => Check(name, () => BRG2001.AnalyzerAsync(Source(snippet, "2001")));

    [Theory]
    [MemberData(nameof(Snippets))]
    public Task Lost_updates(string name, string snippet) => Check(name, () => BRG2002.AnalyzerAsync(Source(snippet, "2002")));

    [Theory]
    [MemberData(nameof(Snippets))]
    public Task Blocking(string name, string snippet) => Check(name, () => BRG2003.AnalyzerAsync(Source(snippet, "2003")));

    [Theory]
    [MemberData(nameof(Snippets))]
    public Task Async_void_lambdas(string name, string snippet) => Check(name, () => BRG2004.AnalyzerAsync(Source(snippet, "2004")));

    [Theory]
    [MemberData(nameof(Snippets))]
    public Task Thread_affine_locks(string name, string snippet) => Check(name, () => BRG2007.AnalyzerAsync(Source(snippet, "2007")));

    [Theory]
    [MemberData(nameof(Snippets))]
    public Task Nested_tasks(string name, string snippet) => Check(name, () => BRG2008.AnalyzerAsync(Source(snippet, "2008")));

    private static Task Check(string name, Func<Task> run)
    {
        _ = name;
        return run();
    }

    // The snippet after the stubs, with the marks of one rule as the harness's markup and the others' dropped.
    private static string Source(string snippet, string rule) =>
        Review67.Review67SnippetTests.Stubs + MoreStubs
        + System.Text.RegularExpressions.Regex.Replace(snippet, "«(\\d{4}):(.*?)»", m => m.Groups[1].Value == rule ? "[|" + m.Groups[2].Value + "|]" : m.Groups[2].Value, System.Text.RegularExpressions.RegexOptions.Singleline);
}
