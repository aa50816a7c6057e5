using Brigade.Auto;

namespace Brigade.Workloads;

/// <summary>
/// The labelled suite of reference workloads that auto mode is tested, demonstrated and benchmarked on. Owns what
/// the workloads need: a local Kestrel server for the HTTP workload and a temporary file for the file workload.
/// </summary>
/// <remarks>
/// Ids, classes and sizes are documented in <c>docs/auto-mode.md</c>. Each workload runs through
/// <see cref="Runner"/>, so it can be run with any engine and compared side by side.
/// </remarks>
internal sealed class WorkloadSuite : IAsyncDisposable
{
    /// <summary>The service latency of the local HTTP server: a fast remote service.</summary>
    public static readonly TimeSpan HttpServiceLatency = TimeSpan.FromMilliseconds(1);

    /// <summary>The device latency the file workload adds to each read: a network share or a busy disk.</summary>
    public static readonly TimeSpan FileDeviceLatency = TimeSpan.FromMilliseconds(2);

    private readonly LoopbackHttpServer _server;
    private readonly HttpClient _client;
    private readonly string _directory;

    private WorkloadSuite(WorkloadScale scale, LoopbackHttpServer server, HttpClient client, string directory)
    {
        Scale = scale;
        _server = server;
        _client = client;
        _directory = directory;
        All = Build(scale);
    }

    /// <summary>Gets the size the workloads were built for.</summary>
    public WorkloadScale Scale { get; }

    /// <summary>Gets every workload, in a stable order.</summary>
    public IReadOnlyList<Workload> All { get; }

    /// <summary>Gets the ids of every workload without starting anything.</summary>
    public static IReadOnlyList<string> Ids { get; } =
        ["cpu-loop", "cpu-alloc", "small-items", "huge-items", "tiny", "blocking-sleep", "blocking-file", "async-delay", "async-http", "mixed", "changes-halfway",
        "alloc-heavy", "lock-serialized", "child-process", "long-sleeps"];

    /// <summary>Gets the ids of workloads whose measured class depends on the machine and its load, so tests do not assert it:
    /// a monitor spins before it waits, so a lock around computation can read as CPU-bound; a child's CPU is not the item thread's.</summary>
    public static IReadOnlyList<string> MachineDependentIds { get; } = ["lock-serialized", "child-process"];

    /// <summary>Gets the local HTTP server's address.</summary>
    public Uri HttpAddress => _server.BaseAddress;

    /// <summary>Starts the server, writes the data file, and builds the workloads.</summary>
    public static async Task<WorkloadSuite> StartAsync(WorkloadScale scale, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"brigade-workloads-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var data = new byte[1 << 20];
        new Random(42).NextBytes(data);
        await File.WriteAllBytesAsync(Path.Combine(directory, "data.bin"), data, cancellationToken).ConfigureAwait(false);

        var server = await LoopbackHttpServer.StartAsync(HttpServiceLatency, cancellationToken).ConfigureAwait(false);

        // A connection per request in flight, up to 256: enough for the widths compared, within default fd limits.
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, UseProxy = false }) { BaseAddress = server.BaseAddress };
        return new WorkloadSuite(scale, server, client, directory);
    }

    /// <summary>Finds a workload by id.</summary>
    public Workload Get(string id) => All.FirstOrDefault(w => w.Id == id) ?? throw new ArgumentException($"unknown workload '{id}'", nameof(id));

    private IReadOnlyList<Workload> Build(WorkloadScale scale)
    {
        int Size(int test, int quick, int full) => scale switch { WorkloadScale.Test => test, WorkloadScale.Quick => quick, _ => full };
        var cores = Environment.ProcessorCount;
        var pool = new EngineChoice(Engine.ThreadPool, null);
        var sequential = new EngineChoice(Engine.Sequential, null);
        EngineChoice Threads(int w) => new(Engine.Threads, w);
        EngineChoice Async(int w) => new(Engine.Async, w);
        var file = Path.Combine(_directory, "data.bin");
        var client = _client;

        const int CpuIterations = 65_000;        // ~100 µs
        const int HugeIterations = 40_000_000;   // ~60 ms
        const int TinyIterations = 160;          // ~0.25 µs
        const int ChangeIterations = 100_000;    // ~150 µs
        const int LockIterations = 650_000;      // ~1 ms

        Workload Sync<TOut>(string id, string title, WorkloadClass expected, int count, Func<int, TOut> work, params EngineChoice[] handPicked) =>
            new(id, title, expected, handPicked, count,
                async (options, ct) => (await Runner.MapAsync(Enumerable.Range(0, count).ToArray(), work, options, ct).ConfigureAwait(false)).Report,
                ct =>
                {
                    for (var i = 0; i < Math.Min(count, 4); i++)
                    {
                        _ = work(i);
                    }

                    return Task.CompletedTask;
                })
            {
                RunItems = async (indices, options, ct) => (await Runner.MapAsync(indices, work, options, ct).ConfigureAwait(false)).Report,
            };

        Workload AsyncWork<TOut>(string id, string title, WorkloadClass expected, int count, Func<int, CancellationToken, ValueTask<TOut>> work, params EngineChoice[] handPicked) =>
            new(id, title, expected, handPicked, count,
                async (options, ct) => (await Runner.MapAsync(Enumerable.Range(0, count).ToArray(), work, options, ct).ConfigureAwait(false)).Report,
                async ct =>
                {
                    for (var i = 0; i < Math.Min(count, 4); i++)
                    {
                        _ = await work(i, ct).ConfigureAwait(false);
                    }
                })
            {
                RunItems = async (indices, options, ct) => (await Runner.MapAsync(indices, work, options, ct).ConfigureAwait(false)).Report,
            };

        var cpuCount = Size(1_000, 1_000, 10_000);
        var allocCount = Size(1_000, 1_000, 8_000);
        var smallCount = Size(200_000, 400_000, 3_000_000);
        var hugeCount = Size(4, 4, 8);
        var tinyCount = 500;
        var sleepCount = Size(200, 400, 4_000);
        var fileCount = Size(200, 400, 3_000);
        var delayCount = Size(500, 2_000, 20_000);
        var httpCount = Size(300, 1_000, 5_000);
        var mixedCount = Size(200, 400, 2_000);
        var changeCount = Size(600, 1_000, 4_000);
        var half = changeCount / 2;
        var heavyCount = Size(300, 600, 3_000);
        var lockCount = Size(200, 400, 2_000);
        var childCount = Size(24, 48, 200);
        var (longCount, longSleep) = scale switch { WorkloadScale.Test => (16, 200), WorkloadScale.Quick => (32, 500), _ => (64, 1_000) };
        var gate = new object();

        return
        [
            Sync("cpu-loop", $"{cpuCount:N0} × ~100 µs of arithmetic", WorkloadClass.CpuBound, cpuCount,
                i => Work.Hash(i, CpuIterations), pool, sequential),
            Sync("cpu-alloc", $"{allocCount:N0} × build, sort and join 256 strings (~57 KB allocated each)", WorkloadClass.CpuBound, allocCount,
                Work.Allocate, pool, sequential),
            Sync("small-items", $"{smallCount:N0} × ~0.25 µs of arithmetic", WorkloadClass.CpuBound, smallCount,
                i => Work.Hash(i, TinyIterations), pool, sequential),
            Sync("huge-items", $"{hugeCount} × ~60 ms of arithmetic", WorkloadClass.CpuBound, hugeCount,
                i => Work.Hash(i, HugeIterations), pool, sequential),
            Sync("tiny", $"{tinyCount:N0} × ~0.25 µs: the whole job is a fraction of a millisecond", WorkloadClass.Tiny, tinyCount,
                i => Work.Hash(i, TinyIterations), sequential, pool),
            Sync("blocking-sleep", $"{sleepCount:N0} × Thread.Sleep(10 ms)", WorkloadClass.Blocking, sleepCount,
                i => { Thread.Sleep(10); return i; }, Threads(256), Threads(64), Threads(16)),
            Sync("blocking-file", $"{fileCount:N0} × read 64 KB from a file + {FileDeviceLatency.TotalMilliseconds:0} ms device latency", WorkloadClass.Blocking, fileCount,
                i => Work.ReadBlock(file, i, FileDeviceLatency), Threads(256), Threads(64), Threads(16)),
            AsyncWork("async-delay", $"{delayCount:N0} × await Task.Delay(10 ms)", WorkloadClass.AsyncIo, delayCount,
                async (i, ct) => { await Task.Delay(10, ct).ConfigureAwait(false); return i; }, Async(1024), Async(256), Async(64)),
            AsyncWork("async-http", $"{httpCount:N0} × HTTP GET to a local Kestrel server ({HttpServiceLatency.TotalMilliseconds:0} ms service time)", WorkloadClass.AsyncIo, httpCount,
                async (i, ct) => (await client.GetStringAsync($"item/{i}", ct).ConfigureAwait(false)).Length, Async(64), Async(256), Async(16)),
            Sync("mixed", $"{mixedCount:N0} × (1 ms of CPU + Thread.Sleep(1 ms))", WorkloadClass.Mixed, mixedCount,
                i => { var h = Work.BurnCpu(TimeSpan.FromMilliseconds(1)); Thread.Sleep(1); return h; }, Threads(cores * 2), Threads(16), pool),
            new Workload("changes-halfway", $"{half:N0} × ~150 µs of arithmetic, then {changeCount - half:N0} × Thread.Sleep(5 ms)", WorkloadClass.Blocking,
                [Threads(256), Threads(64), pool], changeCount,
                async (options, ct) => (await Runner.MapAsync(Enumerable.Range(0, changeCount).ToArray(), i => i < half ? Work.Hash(i, ChangeIterations) : Sleep(i, 5), options, ct).ConfigureAwait(false)).Report,
                ct => { _ = Work.Hash(1, ChangeIterations); return Task.CompletedTask; })
            {
                ExpectedFirstClass = WorkloadClass.CpuBound,
                RunItems = async (indices, options, ct) => (await Runner.MapAsync(indices, i => i < half ? Work.Hash(i, ChangeIterations) : Sleep(i, 5), options, ct).ConfigureAwait(false)).Report,
            },
            Sync("alloc-heavy", $"{heavyCount:N0} × build, sort and join 1,024 strings (~225 KB allocated each)", WorkloadClass.CpuBound, heavyCount,
                i => Work.Allocate(i, 1_024), pool, sequential),
            Sync("lock-serialized", $"{lockCount:N0} × ~1 ms of arithmetic inside one global lock", WorkloadClass.Serialized, lockCount,
                i => { lock (gate) { return Work.Hash(i, LockIterations); } }, sequential, pool, Threads(16)),
            Sync("child-process", $"{childCount:N0} × a child process counting to {ChildCount:N0} in a shell (~30 ms of CPU each)", WorkloadClass.Blocking, childCount,
                Work.RunChild, pool, Threads(cores * 2), Threads(64)),
            Sync("long-sleeps", $"{longCount:N0} × Thread.Sleep({longSleep:N0} ms)", WorkloadClass.Blocking, longCount,
                i => Sleep(i, longSleep), Threads(longCount), Threads(16), pool),
        ];
    }

    /// <summary>How far the child-process workload's shell counts.</summary>
    public const int ChildCount = Work.ChildLoopCount;

    private static int Sleep(int i, int milliseconds)
    {
        Thread.Sleep(milliseconds);
        return i;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
