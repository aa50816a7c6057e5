using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// The polite livelock: two philosophers each take their left fork, find the right one taken, put theirs down and try
/// again — in step, forever, burning CPU. Brigade reports it twice: from the locks (failed try-acquisitions against
/// each other) and from the progress watchdog (busy, no progress). The fix, one global fork order, eats at once.
/// </summary>
internal sealed class LivelockScene : IDemoScene
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(300);

    public string Id => "livelock";

    public string Title => "Livelock: two polite philosophers keep yielding their forks to each other";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var diagnostics = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Off };
        var forks = new[] { new DetectingLock(new LockOptions { Name = "fork 1", Diagnostics = diagnostics }), new DetectingLock(new LockOptions { Name = "fork 2", Diagnostics = diagnostics }) };
        var watch = Stopwatch.StartNew();
        long politeAt = 0, busyAt = 0;
        diagnostics.Reported += (_, report) =>
        {
            if (report.Kind == PitfallKind.Livelock)
            {
                var polite = report.Message.Contains("keep backing off", StringComparison.Ordinal);
                Interlocked.CompareExchange(ref polite ? ref politeAt : ref busyAt, watch.Elapsed.Ticks, 0);
            }
        };

        context.Live($"  [grey]philosopher-1 takes fork 1, philosopher-2 fork 2; each tries the other fork (TryAcquire), finds it taken, puts its own down and tries again, in step. Watchdog threshold: {Threshold.TotalMilliseconds:0} ms.[/]");
        using (var watchdog = ProgressWatchdog.Start(new ProgressWatchdogOptions { Threshold = Threshold, BusyCpuFraction = 0.25, Interval = TimeSpan.FromMilliseconds(50), PoliteLivelockAttempts = 100, Diagnostics = diagnostics }))
        {
            var stop = 0;
            var round = new long[2];
            void Polite(int me)
            {
                using var participant = watchdog.Watch($"philosopher-{me + 1}");
                participant.Doing = "trying to eat";
                for (long r = 1; Volatile.Read(ref stop) == 0; r++)
                {
                    using (forks[me].Acquire(cancellationToken))
                    {
                        Rendezvous(round, me, 3 * r, ref stop);
                        using (var other = forks[1 - me].TryAcquire(TimeSpan.Zero))
                        {
                            if (other.IsAcquired)
                            {
                                participant.Mark("eating");
                                return;
                            }
                        }

                        Rendezvous(round, me, (3 * r) + 1, ref stop);
                    }

                    // Back off politely — by the same amount as the other philosopher, so they meet again.
                    Rendezvous(round, me, (3 * r) + 2, ref stop);
                }
            }

            var philosophers = new[] { PitfallSceneHelpers.RunThread("philosopher-1", () => Polite(0)), PitfallSceneHelpers.RunThread("philosopher-2", () => Polite(1)) };
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(3) && (Interlocked.Read(ref politeAt) == 0 || Interlocked.Read(ref busyAt) == 0))
            {
                await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            }

            Volatile.Write(ref stop, 1);
            await Task.WhenAll(philosophers).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }

        var polite = diagnostics.Reports.OfType<ProgressReport>().FirstOrDefault(r => r.Message.Contains("keep backing off", StringComparison.Ordinal));
        var busy = diagnostics.Reports.OfType<ProgressReport>().FirstOrDefault(r => r.Kind == PitfallKind.Livelock && r != polite);
        if (polite is not null)
        {
            context.Live($"  [red]Polite livelock detected[/] by the locks after {TimeSpan.FromTicks(Interlocked.Read(ref politeAt)).TotalMilliseconds:0.0} ms:");
            PitfallSceneHelpers.ShowReport(context, "yellow", polite.Message);
        }

        if (busy is not null)
        {
            context.Live($"  [red]The progress watchdog[/] saw both busy without progress:");
            PitfallSceneHelpers.ShowReport(context, "yellow", busy.Message);
        }

        context.Live("  [grey]The fix: both take the lower-numbered fork first, with a blocking Acquire...[/]");
        var before = diagnostics.Reports.Count;
        var fixedWatch = Stopwatch.StartNew();
        void Ordered()
        {
            using (forks[0].Acquire(cancellationToken))
            using (forks[1].Acquire(cancellationToken))
            {
            }
        }

        await Task.WhenAll(PitfallSceneHelpers.RunThread("philosopher-1", Ordered), PitfallSceneHelpers.RunThread("philosopher-2", Ordered)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var fixedTime = fixedWatch.Elapsed;
        var after = diagnostics.Reports.Count - before;
        context.Live($"  Both ate in [green]{fixedTime.TotalMilliseconds:0.0} ms[/]; {(after == 0 ? "nothing reported" : $"{after} reports")}.");

        var first = polite ?? busy;
        var firstAt = polite is not null ? Interlocked.Read(ref politeAt) : Interlocked.Read(ref busyAt);
        result.Detected = first is not null;
        result.DetectionMs = first is null ? null : PitfallSceneHelpers.Milliseconds(TimeSpan.FromTicks(firstAt));
        result.Report = first?.Message;
        result.Conclusion = first is null
            ? "The two polite philosophers got out of step and one ate: no livelock this time."
            : $"Two polite philosophers kept yielding their forks to each other, busy and never eating: Brigade reported the livelock ({PitfallCodes.Livelock}) from the locks " +
              $"(failed try-acquisitions against each other){(busy is null ? "" : " and from the progress watchdog (busy CPU, no progress past the threshold)")}. " +
              $"With one global fork order both ate in {fixedTime.TotalMilliseconds:0.0} ms and {(after == 0 ? "nothing was reported" : $"{after} reports were made")}.";
        return result;
    }

    /// <summary>Spins (busy, like a back-off loop) until both philosophers reach <paramref name="step"/>: keeps them in step.</summary>
    private static void Rendezvous(long[] round, int me, long step, ref int stop)
    {
        Volatile.Write(ref round[me], step);
        var spinner = default(SpinWait);
        while (Volatile.Read(ref round[1 - me]) < step && Volatile.Read(ref stop) == 0)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }
}
