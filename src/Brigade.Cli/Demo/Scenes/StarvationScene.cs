using System.Diagnostics;
using Brigade.Cli.Demo.Model;
using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// Starvation: greedy readers keep an unfair reader/writer lock read-held, so a writer never gets in; the fair lock
/// serves the writer at the next turn.
/// </summary>
/// <remarks>
/// A single greedy thread re-taking an exclusive lock is the other classic, but on Linux the woken waiter is usually
/// scheduled inside the release window and wins: readers that overlap leave the lock free at no moment at all.
/// </remarks>
internal sealed class StarvationScene : IDemoScene
{
    private const int Readers = 3;
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(2);

    public string Id => "starvation";

    public string Title => "Starvation: greedy readers starve a writer on an unfair lock, then a fair lock";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };

        // Warm-up (JIT compilation and type loading), with a short threshold, for both kinds of lock.
        _ = await ExperimentAsync(LockFairness.Unfair, TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        _ = await ExperimentAsync(LockFairness.Fair, TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);

        context.Live($"  [grey]{Readers} reader threads each take the read lock for {Hold.TotalMilliseconds:0} ms, again and again, overlapping; a writer asks for the write lock. Starvation threshold: {Threshold.TotalMilliseconds:0} ms.[/]");
        var unfair = await ExperimentAsync(LockFairness.Unfair, Threshold, cancellationToken).ConfigureAwait(false);
        context.Live($"  [grey]Unfair lock (readers barge past a waiting writer):[/] the writer waited [red]{unfair.Waited.TotalMilliseconds:0} ms[/] while readers took the lock {unfair.ReaderGrants} times{(unfair.StoppedReaders ? ", and got in only when the readers were stopped" : "")}.");
        if (unfair.Report is not null)
        {
            PitfallSceneHelpers.ShowReport(context, "yellow", unfair.Report.Message);
        }

        var fair = await ExperimentAsync(LockFairness.Fair, Threshold, cancellationToken).ConfigureAwait(false);
        context.Live($"  [grey]Fair lock (FIFO hand-off):[/] the writer waited [green]{fair.Waited.TotalMilliseconds:0.0} ms[/] (new readers queue behind it); {(fair.Report is null ? "nothing reported" : "reported")}.");

        result.Detected = unfair.Report is not null;
        result.DetectionMs = unfair.Report is null ? null : PitfallSceneHelpers.Milliseconds(unfair.DetectedAfter);
        result.Report = unfair.Report?.Message;
        result.Conclusion = unfair.Report is null
            ? $"The writer got the unfair lock after {unfair.Waited.TotalMilliseconds:0.0} ms this time (the readers' holds did not overlap); on the fair lock after {fair.Waited.TotalMilliseconds:0.0} ms."
            : $"On the unfair lock the writer waited {unfair.Waited.TotalMilliseconds:0} ms while readers were granted the lock {unfair.ReaderGrants} times; Brigade reported the " +
              $"starvation ({PitfallCodes.Starvation}) {unfair.DetectedAfter.TotalMilliseconds:0} ms into the wait, naming the starved writer and the readers that kept winning. " +
              $"With LockFairness.Fair the writer waited {fair.Waited.TotalMilliseconds:0.0} ms{(fair.Report is null ? " and nothing was reported" : "")}.";
        return result;
    }

    private static async Task<Outcome> ExperimentAsync(LockFairness fairness, TimeSpan threshold, CancellationToken cancellationToken)
    {
        var diagnostics = new PitfallDiagnostics { StarvationThreshold = threshold, LockOrderMode = LockOrderMode.Off };
        var cache = new DetectingReaderWriterLock(new LockOptions { Name = "cache", Fairness = fairness, Diagnostics = diagnostics });
        var stop = 0;
        var readerGrants = 0L;
        var writerStart = 0L;
        var reportedAt = 0L;
        var writerDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        diagnostics.Reported += (_, _) => Interlocked.CompareExchange(ref reportedAt, Stopwatch.GetTimestamp(), 0);

        // Staggered readers: while one releases, another holds, so the lock is never free.
        var readers = new Task[Readers];
        for (var i = 0; i < Readers; i++)
        {
            var delay = Hold * i / Readers;
            readers[i] = PitfallSceneHelpers.RunThread($"reader-{i + 1}", () =>
            {
                Thread.Sleep(delay);
                while (Volatile.Read(ref stop) == 0)
                {
                    using (cache.AcquireRead(cancellationToken))
                    {
                        if (!writerDone.Task.IsCompleted)
                        {
                            Interlocked.Increment(ref readerGrants);
                        }

                        Thread.Sleep(Hold);   // reading, e.g. a slow lookup
                    }
                }
            });
        }

        SpinWait.SpinUntil(() => cache.CurrentReadCount > 0, TimeSpan.FromSeconds(5));
        var waited = TimeSpan.Zero;
        var writer = PitfallSceneHelpers.RunThread("writer", () =>
        {
            writerStart = Stopwatch.GetTimestamp();
            Interlocked.Exchange(ref readerGrants, 0);
            using (cache.AcquireWrite(cancellationToken))
            {
                waited = Stopwatch.GetElapsedTime(writerStart);
                writerDone.TrySetResult();
            }
        });

        // Give the writer a fair chance, then stop the readers so the scene ends either way.
        // (Awaited, not waited for: this method runs on the thread pool; BRG2003.)
        var stoppedReaders = await Task.WhenAny(writerDone.Task, Task.Delay(threshold * 2, cancellationToken)).ConfigureAwait(false) != writerDone.Task;
        cancellationToken.ThrowIfCancellationRequested();
        Volatile.Write(ref stop, 1);
        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);

        var report = diagnostics.Reports.OfType<StarvationReport>().FirstOrDefault();
        var detectedAfter = report is null ? TimeSpan.Zero : Stopwatch.GetElapsedTime(writerStart, Interlocked.Read(ref reportedAt));
        return new Outcome(waited, Interlocked.Read(ref readerGrants), stoppedReaders, report, detectedAfter);
    }

    private sealed record Outcome(TimeSpan Waited, long ReaderGrants, bool StoppedReaders, StarvationReport? Report, TimeSpan DetectedAfter);
}
