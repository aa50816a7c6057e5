using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>The classic deadlock: two threads, two locks, opposite orders. Detected when it forms, then fixed with one global order.</summary>
internal sealed class DeadlockScene : IDemoScene
{
    public string Id => "deadlock";

    public string Title => "Deadlock: two threads take two locks in opposite order";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };

        // Warm-up: the first detection in a process also pays for JIT compilation and type loading; measure the steady state.
        _ = await OppositeOrderAsync(cancellationToken).ConfigureAwait(false);

        context.Live("  [grey]transfer-1 takes account A then account B; transfer-2 takes B then A; each holds its first lock before asking for the second...[/]");
        var (diagnostics, a, b, refused, detection, retried, deadlockedRun) = await OppositeOrderAsync(cancellationToken).ConfigureAwait(false);
        if (refused is not null)
        {
            context.Live($"  [red]Deadlock detected in {detection.TotalMilliseconds:0.000} ms[/] (instead of hanging forever); the refused thread released its lock and retried:");
            PitfallSceneHelpers.ShowReport(context, "yellow", refused.Message);
        }

        var watch = Stopwatch.StartNew();
        context.Live("  [grey]The fix: both transfers take the locks in one global order (A, then B)...[/]");
        var bothReady = new Barrier(2);
        void Ordered()
        {
            bothReady.SignalAndWait(cancellationToken);
            using (a.Acquire(cancellationToken))
            using (b.Acquire(cancellationToken))
            {
            }
        }

        await Task.WhenAll(PitfallSceneHelpers.RunThread("transfer-1", Ordered), PitfallSceneHelpers.RunThread("transfer-2", Ordered)).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var orderedRun = watch.Elapsed;
        var reportsAfterFix = diagnostics.Reports.Count - (refused is null ? 0 : 1);

        result.Detected = refused is not null;
        result.DetectionMs = refused is null ? null : PitfallSceneHelpers.Milliseconds(detection);
        result.Report = refused?.Message;
        result.Conclusion = refused is null
            ? $"The two transfers did not deadlock this time (the race went the other way); both finished in {deadlockedRun.TotalMilliseconds:0.0} ms."
            : $"Two threads taking two locks in opposite order deadlocked; Brigade refused the wait that closed the cycle {detection.TotalMilliseconds:0.000} ms after it began " +
              $"(DeadlockException, {PitfallCodes.Deadlock}) instead of hanging, the refused transfer backed off and retried ({retried} {(retried == 1 ? "retry" : "retries")}) and both finished in {deadlockedRun.TotalMilliseconds:0.0} ms. " +
              $"With one global lock order they finished in {orderedRun.TotalMilliseconds:0.0} ms and {(reportsAfterFix == 0 ? "nothing was reported" : $"{reportsAfterFix} reports were made")}.";
        return result;
    }

    /// <summary>Two transfers in opposite lock orders, each retrying when refused, as a database transaction would.</summary>
    private static async Task<(PitfallDiagnostics Diagnostics, DetectingLock A, DetectingLock B, DeadlockException? Refused, TimeSpan Detection, int Retried, TimeSpan Elapsed)> OppositeOrderAsync(CancellationToken cancellationToken)
    {
        // Lock-order checking would also flag this; the scene shows the real deadlock, so only that is detected here.
        var diagnostics = new PitfallDiagnostics { LockOrderMode = LockOrderMode.Off };
        var a = new DetectingLock(new LockOptions { Name = "account A", Diagnostics = diagnostics });
        var b = new DetectingLock(new LockOptions { Name = "account B", Diagnostics = diagnostics });
        var bothHold = new Barrier(2);
        var gate = new Lock();
        DeadlockException? refused = null;
        var detection = TimeSpan.Zero;
        var retried = 0;
        var watch = Stopwatch.StartNew();

        void Transfer(DetectingLock first, DetectingLock second)
        {
            var firstAttempt = true;
            while (true)
            {
                using (first.Acquire(cancellationToken))
                {
                    if (firstAttempt)
                    {
                        bothHold.SignalAndWait(cancellationToken);
                        firstAttempt = false;
                    }

                    var asked = Stopwatch.GetTimestamp();
                    try
                    {
                        using (second.Acquire(cancellationToken))
                        {
                            return;   // the transfer
                        }
                    }
                    catch (DeadlockException e)
                    {
                        // The wait that closed the cycle is refused; release what we hold (leaving the using) and retry.
                        lock (gate)
                        {
                            detection = Stopwatch.GetElapsedTime(asked);
                            refused = e;
                            retried++;
                        }
                    }
                }

                // Back off before retrying, as databases do: an immediate retry can re-take the unfair lock before the
                // other transfer gets it, and the two would deadlock again and again (a livelock).
                Thread.Sleep(1);
            }
        }

        await Task.WhenAll(
            PitfallSceneHelpers.RunThread("transfer-1", () => Transfer(a, b)),
            PitfallSceneHelpers.RunThread("transfer-2", () => Transfer(b, a))).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        return (diagnostics, a, b, refused, detection, retried, watch.Elapsed);
    }
}
