using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>The classic race: two flows each add 1 to a shared counter a million times. Updates are lost and the race is
/// reported at the first conflicting access; with a lock the count is exact and nothing is reported.</summary>
/// <remarks>Lost updates depend on the two loops interleaving, which a loaded or single-core machine may not do: the racy
/// phase runs again, up to <see cref="MaxAttempts"/> times, until it loses some; if none does, the scene says so and
/// never claims losses it did not measure.</remarks>
internal sealed class RaceScene : IDemoScene
{
    /// <summary>How many times the racy phase runs at most to see updates lost.</summary>
    public const int MaxAttempts = 3;

    private readonly int _perFlow;
    private readonly Func<int, Action, Task<(TimeSpan Wall, TimeSpan Cpu)>> _racyFlows;

    public RaceScene()
        : this(1_000_000, null)
    {
    }

    /// <summary>For tests: <paramref name="racyFlows"/> runs the unlocked increments (default: two threads at once).</summary>
    internal RaceScene(int perFlow, Func<int, Action, Task<(TimeSpan Wall, TimeSpan Cpu)>>? racyFlows)
    {
        _perFlow = perFlow;
        _racyFlows = racyFlows ?? TwoFlowsAsync;
    }

    public string Id => "race";

    public string Title => "Race condition: two threads add 1 to a shared counter a million times each";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var diagnostics = new PitfallDiagnostics();
        var locks = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Off };
        long reportedAt = 0;
        diagnostics.Reported += (_, _) => Interlocked.CompareExchange(ref reportedAt, Stopwatch.GetTimestamp(), 0);
        var expected = 2L * _perFlow;

        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        RaceDetector.EnterFlow("demo");

        context.Live($"  [grey]adder-1 and adder-2 each do counter.Write(counter.Read() + 1) {_perFlow:N0} times, with no lock; the race detector watches the counter...[/]");
        var started = Stopwatch.GetTimestamp();
        TimeSpan racyWall = default, racyCpu = default;
        long racy = 0;
        var attempts = 0;
        while (attempts < MaxAttempts)
        {
            // A fresh counter each time: the lost updates are those of one attempt.
            attempts++;
            var counter = new Shared<long>(attempts == 1 ? "counter" : $"counter (attempt {attempts})");
            (racyWall, racyCpu) = await _racyFlows(_perFlow, () => counter.Write(counter.Read() + 1)).ConfigureAwait(false);
            racy = counter.Read();
            if (racy != expected)
            {
                break;
            }

            if (attempts < MaxAttempts)
            {
                context.Live($"  [grey]Attempt {attempts}: {racy:N0}, every update counted (the two loops did not interleave this time); again...[/]");
            }
        }

        var lost = expected - racy;
        var race = diagnostics.Reports.OfType<RaceReport>().FirstOrDefault();
        var detection = race is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, Interlocked.Read(ref reportedAt));
        var reported = race is null ? "" : $"; the race was reported {detection.TotalMilliseconds:0.0} ms in, at the first conflicting access:";
        context.Live(lost != 0
            ? $"  Without a lock: [red]{racy:N0}[/] instead of {expected:N0}: [red]{lost:N0} updates lost[/]{(attempts > 1 ? $" (attempt {attempts})" : "")}{reported}"
            : $"  Without a lock: [yellow]{racy:N0}[/] of {expected:N0}: no update was lost in {attempts} attempts (the loops did not interleave on this machine now); the code is racy all the same{reported}");
        if (race is not null)
        {
            PitfallSceneHelpers.ShowReport(context, "yellow", race.Message);
        }

        context.Live("  [grey]The fix: every increment holds one DetectingLock...[/]");
        var gate = new DetectingLock(new LockOptions { Name = "counter lock", Diagnostics = locks });
        var fixedCounter = new Shared<long>("fixed counter");
        var reportsBefore = diagnostics.Reports.Count;
        var (lockedWall, lockedCpu) = await TwoFlowsAsync(_perFlow, () =>
        {
            using (gate.Acquire(cancellationToken))
            {
                fixedCounter.Write(fixedCounter.Read() + 1);
            }
        }).ConfigureAwait(false);
        var exact = fixedCounter.Read();
        var newReports = diagnostics.Reports.Count - reportsBefore;
        context.Live($"  With the lock: [green]{exact:N0}[/] (exact), {(newReports == 0 ? "no race reported" : $"{newReports} reports")}.");

        result.Runs.Add(Record("no lock", racyWall, racyCpu, expected, racy));
        result.Attempts = attempts;
        result.Runs.Add(Record("one lock", lockedWall, lockedCpu, expected, exact));
        result.Detected = race is not null;
        result.DetectionMs = race is null ? null : PitfallSceneHelpers.Milliseconds(detection);
        result.Report = race?.Message;
        var measured = lost != 0
            ? $"Without a lock the two threads lost {lost:N0} of {expected:N0} increments ({racy:N0} counted{(attempts > 1 ? $", attempt {attempts} of {MaxAttempts}" : "")})"
            : $"Without a lock the two threads happened to lose no increment in {attempts} attempts ({racy:N0} of {expected:N0} counted: they did not interleave on this machine this time; the code is racy all the same)";
        result.Conclusion =
            $"{measured}; Brigade's race detector reported the race " +
            $"({PitfallCodes.DataRace}) at the first conflicting access{(race is null ? " — not this time" : $", {detection.TotalMilliseconds:0.0} ms in")}, naming both accesses. " +
            $"With one lock around each increment the count was {(exact == expected ? "exact" : "wrong")} ({exact:N0}) and {(newReports == 0 ? "nothing was reported" : $"{newReports} reports were made")}.";
        return result;
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> TwoFlowsAsync(int perFlow, Action increment)
    {
        var cpu = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        using var bothReady = new Barrier(2);
        void Add()
        {
            // Start together, so the two loops overlap instead of one finishing before the other starts.
            bothReady.SignalAndWait(TimeSpan.FromSeconds(10), CancellationToken.None);
            for (var i = 0; i < perFlow; i++)
            {
                increment();
            }
        }

        // Two dedicated threads, each its own logical flow forked from the scene's (so their start follows what the
        // scene did before); their ends are published through HappensBefore and acquired after the joins.
        var done = new object();
        void Flow(string name)
        {
            RaceDetector.EnterFlow(name);
            Add();
            RaceDetector.HappensBefore(done);
        }

        await Task.WhenAll(PitfallSceneHelpers.RunThread("adder-1", () => Flow("adder-1")), PitfallSceneHelpers.RunThread("adder-2", () => Flow("adder-2")))
            .WaitAsync(TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
        RaceDetector.HappensAfter(done);
        return (watch.Elapsed, Environment.CpuUsage.TotalTime - cpu);
    }

    private static RunRecord Record(string label, TimeSpan wall, TimeSpan cpu, long expected, long observed) => new()
    {
        Engine = "baseline",
        Baseline = "two threads",
        Label = label,
        Workers = 2,
        Items = expected,
        WallSeconds = DemoContext.Round(wall.TotalSeconds),
        CpuSeconds = DemoContext.Round(cpu.TotalSeconds),
        // Not measured (two threads racing, nothing to compare with): placeholders the JSON contract keeps, said so.
        Speedup = 1,
        SpeedupOver = RunRecord.OverNothing,
        Efficiency = 0.5,
        Expected = expected,
        Observed = observed,
        // Each of the two threads runs its half of the increments as one loop: two batches.
        Batches = 2,
    };
}
