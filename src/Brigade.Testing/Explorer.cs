using System.Diagnostics;
using System.Globalization;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Testing;

/// <summary>
/// Systematic exploration for tests: runs a test body many times, each time under a different schedule of its flows
/// (chosen at Brigade's synchronization points), and checks every schedule for data races, deadlocks, failed
/// assertions (exceptions), livelocks (no end within a step bound) and hangs. A bug comes with a seed that replays its
/// schedule exactly.
/// </summary>
/// <remarks>
/// <para>The explorer controls flows started with <see cref="ExplorationContext.Spawn"/>: it runs one at a time and
/// decides who runs next before each acquisition of a <c>DetectingLock</c>, <c>DetectingSemaphore</c> or
/// <c>DetectingReaderWriterLock</c>, each access to a <c>Shared&lt;T&gt;</c>, and each spawn, join and yield. It does
/// not control <c>lock</c>/<c>Monitor</c>, <c>SemaphoreSlim</c>, plain fields, <c>Interlocked</c>, tasks, timers or
/// I/O: interleavings between those are not explored, and a flow that blocks on them is reported as a hang after
/// <see cref="ExplorationOptions.ScheduleTimeout"/>. The body must be deterministic apart from the schedule (no clock,
/// no unseeded random), and must create its shared state afresh each time it runs.</para>
/// <para>One exploration runs at a time in a process (it installs process-wide hooks and a race detector).</para>
/// </remarks>
/// <example>
/// <code>
/// var result = Explorer.Explore(context =>
/// {
///     var counter = new Shared&lt;int&gt;("counter");
///     var a = context.Spawn(() => counter.Write(counter.Read() + 1));
///     var b = context.Spawn(() => counter.Write(counter.Read() + 1));
///     a.Join(); b.Join();
///     ExplorationContext.Assert(counter.Read() == 2, "lost update");
/// }, new ExplorationOptions { Seed = 42 });
/// result.ThrowIfBugFound();   // Data race detected on 'counter' ... replay it with seed pct:3:12:1948831
/// </code>
/// </example>
public static class Explorer
{
    private const int InitialStepEstimate = 20;

    // One exploration at a time: the hooks are process-wide.
    private static readonly Lock ExplorationGate = new();

    /// <summary>Explores schedules of <paramref name="test"/> until a bug is found or the budget is spent.</summary>
    /// <param name="test">The test body; it runs once per schedule, as the first controlled flow.</param>
    /// <param name="options">Strategy, budget, bounds and seed; null for the defaults.</param>
    /// <returns>The result: the bug with its replay seed, or how many schedules found none.</returns>
    public static ExplorationResult Explore(Action<ExplorationContext> test, ExplorationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        options = options?.Clone() ?? new ExplorationOptions();
        var baseSeed = options.Seed ?? (int)(Stopwatch.GetTimestamp() & 0x7fffffff);
        var steps = InitialStepEstimate;
        var watch = Stopwatch.StartNew();
        lock (ExplorationGate)
        {
            using var session = new Session(options);
            for (var i = 0; i < options.Schedules; i++)
            {
                var seed = Mix(baseSeed, i);
                var token = Token(options.Strategy, options.PctDepth, steps, seed);
                var schedule = session.RunOne(test, token);
                if (schedule.Bug is { } bug)
                {
                    return new ExplorationResult(new ExplorationBug(bug.Kind, bug.Message, token, i + 1, schedule.Steps), i + 1, watch.Elapsed, baseSeed);
                }

                steps = Math.Max(steps, schedule.Steps);
            }

            return new ExplorationResult(null, options.Schedules, watch.Elapsed, baseSeed);
        }
    }

    /// <summary>Runs the one schedule that <paramref name="replaySeed"/> names (from <see cref="ExplorationBug.ReplaySeed"/>).</summary>
    /// <param name="test">The same test body.</param>
    /// <param name="replaySeed">The seed, such as <c>pct:3:57:1234567</c> or <c>random:1234567</c>.</param>
    /// <param name="options">Bounds and race detection (strategy and seed come from <paramref name="replaySeed"/>); null for the defaults.</param>
    /// <returns>The result of that schedule.</returns>
    /// <exception cref="FormatException"><paramref name="replaySeed"/> is not a replay seed.</exception>
    public static ExplorationResult Replay(Action<ExplorationContext> test, string replaySeed, ExplorationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentException.ThrowIfNullOrWhiteSpace(replaySeed);
        _ = Strategy(replaySeed);   // validate before running anything
        options = options?.Clone() ?? new ExplorationOptions();
        var watch = Stopwatch.StartNew();
        lock (ExplorationGate)
        {
            using var session = new Session(options);
            var schedule = session.RunOne(test, replaySeed);
            var bug = schedule.Bug is { } b ? new ExplorationBug(b.Kind, b.Message, replaySeed, 1, schedule.Steps) : null;
            return new ExplorationResult(bug, 1, watch.Elapsed, Seed(replaySeed));
        }
    }

    private static int Mix(int seed, int index)
    {
        var x = (uint)seed * 0x9E3779B1u ^ (uint)index * 0x85EBCA6Bu;
        x ^= x >> 15;
        x *= 0xC2B2AE35u;
        x ^= x >> 13;
        return (int)(x & 0x7fffffff);
    }

    private static string Token(ExplorationStrategy strategy, int depth, int steps, int seed) => strategy == ExplorationStrategy.Random
        ? string.Create(CultureInfo.InvariantCulture, $"random:{seed}")
        : string.Create(CultureInfo.InvariantCulture, $"pct:{depth}:{steps}:{seed}");

    private static IStrategy Strategy(string token)
    {
        var parts = token.Trim().Split(':');
        if (parts is ["random", var s] && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
        {
            return new RandomStrategy(seed);
        }

        if (parts is ["pct", var d, var k, var s2]
            && int.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var depth) && depth >= 1
            && int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var steps)
            && int.TryParse(s2, NumberStyles.None, CultureInfo.InvariantCulture, out var pctSeed))
        {
            return new PctStrategy(pctSeed, depth, steps);
        }

        throw new FormatException($"'{token}' is not a replay seed: expected random:SEED or pct:DEPTH:STEPS:SEED, as printed with a bug.");
    }

    private static int Seed(string token) => int.Parse(token.Trim().Split(':')[^1], CultureInfo.InvariantCulture);

    /// <summary>The hooks and race detector of one exploration.</summary>
    private sealed class Session : IDisposable
    {
        // Mutual failed try-acquisitions in a row (each flow holding what the other wants) that make a polite livelock
        // under exploration. Few: a schedule that dances this long in step will dance forever under a fair schedule.
        private const int PoliteAttempts = 3;

        private readonly ExplorationOptions _options;
        private readonly PitfallDiagnostics _diagnostics = new() { MaxRetainedReports = 16 };
        private readonly RaceDetector? _detector;
        private Schedule? _current;

        public Session(ExplorationOptions options)
        {
            _options = options;
            _diagnostics.Reported += OnReported;
            if (options.DetectRaces)
            {
                _detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = _diagnostics, MaxFlows = 4096 });
            }
        }

        public Schedule RunOne(Action<ExplorationContext> test, string token)
        {
            var schedule = new Schedule(Strategy(token), _options.MaxSteps, _detector);
            var polite = new PoliteLivelockObserver(_diagnostics, PoliteAttempts);
            Volatile.Write(ref _current, schedule);
            ObserverHub.Add(schedule);
            ObserverHub.Add(polite);
            TrackedAccess.Scheduler = schedule;
            try
            {
                schedule.Run(test, _options.ScheduleTimeout);
            }
            finally
            {
                TrackedAccess.Scheduler = null;
                ObserverHub.Remove(polite);
                ObserverHub.Remove(schedule);
                Volatile.Write(ref _current, null);
            }

            return schedule;
        }

        public void Dispose()
        {
            _detector?.Dispose();
            _diagnostics.Reported -= OnReported;
        }

        private void OnReported(object? sender, PitfallReport report)
        {
            if (Volatile.Read(ref _current) is not { } schedule)
            {
                return;
            }

            if (report is RaceReport)
            {
                schedule.Fail(ExplorationBugKind.DataRace, report.Message);
            }
            else if (report.Kind == PitfallKind.Livelock)
            {
                schedule.Fail(ExplorationBugKind.Livelock, report.Message);
            }
        }
    }
}
