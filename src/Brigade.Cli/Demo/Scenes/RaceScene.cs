using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>The classic race: two flows each add 1 to a shared counter a million times. Updates are lost and the race is
/// reported at the first conflicting access; with a lock the count is exact and nothing is reported.</summary>
internal sealed class RaceScene : IDemoScene
{
    private const int PerFlow = 1_000_000;

    public string Id => "race";

    public string Title => "Race condition: two threads add 1 to a shared counter a million times each";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var diagnostics = new PitfallDiagnostics();
        var locks = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Off };
        long reportedAt = 0;
        diagnostics.Reported += (_, _) => Interlocked.CompareExchange(ref reportedAt, Stopwatch.GetTimestamp(), 0);
        const long expected = 2L * PerFlow;

        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        RaceDetector.EnterFlow("demo");

        context.Live($"  [grey]adder-1 and adder-2 each do counter.Write(counter.Read() + 1) {PerFlow:N0} times, with no lock; the race detector watches the counter...[/]");
        var counter = new Shared<long>("counter");
        var started = Stopwatch.GetTimestamp();
        var (racyWall, racyCpu) = await TwoFlowsAsync(() => counter.Write(counter.Read() + 1)).ConfigureAwait(false);
        var racy = counter.Read();
        var race = diagnostics.Reports.OfType<RaceReport>().FirstOrDefault();
        var detection = race is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, Interlocked.Read(ref reportedAt));
        context.Live($"  Without a lock: [red]{racy:N0}[/] instead of {expected:N0}: [red]{expected - racy:N0} updates lost[/]{(race is null ? "" : $"; the race was reported {detection.TotalMilliseconds:0.0} ms in, at the first conflicting access:")}");
        if (race is not null)
        {
            PitfallSceneHelpers.ShowReport(context, "yellow", race.Message);
        }

        context.Live("  [grey]The fix: every increment holds one DetectingLock...[/]");
        var gate = new DetectingLock(new LockOptions { Name = "counter lock", Diagnostics = locks });
        var fixedCounter = new Shared<long>("fixed counter");
        var reportsBefore = diagnostics.Reports.Count;
        var (lockedWall, lockedCpu) = await TwoFlowsAsync(() =>
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
        result.Runs.Add(Record("one lock", lockedWall, lockedCpu, expected, exact));
        result.Detected = race is not null;
        result.DetectionMs = race is null ? null : PitfallSceneHelpers.Milliseconds(detection);
        result.Report = race?.Message;
        result.Conclusion =
            $"Without a lock the two threads lost {expected - racy:N0} of {expected:N0} increments ({racy:N0} counted); Brigade's race detector reported the race " +
            $"({PitfallCodes.DataRace}) at the first conflicting access{(race is null ? " — not this time" : $", {detection.TotalMilliseconds:0.0} ms in")}, naming both accesses. " +
            $"With one lock around each increment the count was {(exact == expected ? "exact" : "wrong")} ({exact:N0}) and {(newReports == 0 ? "nothing was reported" : $"{newReports} reports were made")}.";
        return result;

        static async Task<(TimeSpan Wall, TimeSpan Cpu)> TwoFlowsAsync(Action increment)
        {
            var cpu = Environment.CpuUsage.TotalTime;
            var watch = Stopwatch.StartNew();
            using var bothReady = new Barrier(2);
            void Add()
            {
                // Start together, so the two loops overlap instead of one finishing before the other starts.
                bothReady.SignalAndWait(TimeSpan.FromSeconds(10), CancellationToken.None);
                for (var i = 0; i < PerFlow; i++)
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
        Speedup = 1,
        Efficiency = 0.5,
        Expected = expected,
        Observed = observed,
    };
}
