using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Brigade;

/// <summary>Results of a run as they finish, in completion order, followed by the run's report.</summary>
/// <typeparam name="T">The type of the work's result.</typeparam>
/// <remarks>
/// The run starts when enumeration starts and can be enumerated once. Workers wait when the reader falls behind
/// by <see cref="RunOptions.StreamCapacity"/> results. Leaving the loop early (break, exception) cancels the run
/// and waits for running items to finish, so no worker outlives the loop; an exception thrown by the loop's body
/// propagates as is, what the run did is on <see cref="Report"/>, and a failure it had meanwhile (the source threw)
/// on <see cref="Failure"/>. Cancelling
/// through the enumeration's token (<c>WithCancellation</c>) throws <see cref="RunCanceledException"/>, as cancelling
/// any other run does. A reader that leaves or cancels does not receive what was still buffered or finished after it
/// stopped: the report then counts as <see cref="RunReport.Succeeded"/> and <see cref="RunReport.Failed"/> only the results
/// the reader received; the items that ran but were not delivered are <see cref="RunReport.Undelivered"/> (and counted in
/// <see cref="RunReport.NotRun"/>), and <see cref="RunReport.Abandoned"/> (the reader left) or
/// <see cref="RunReport.Cancelled"/> says why.
/// An enumerator dropped before the end without being disposed (<c>await foreach</c> always disposes it) stops its run
/// once it is garbage-collected, so its workers do not wait forever; dispose it to stop the run at once.
/// </remarks>
public sealed class RunStream<T> : IAsyncEnumerable<ItemResult<T>>
{
    private readonly Func<CancellationToken, (ChannelReader<ItemResult<T>> Reader, Task<RunReport> Run, Action Abort, Func<RunReport?> LastReport)> _start;
    private int _started;

    internal RunStream(Func<CancellationToken, (ChannelReader<ItemResult<T>> Reader, Task<RunReport> Run, Action Abort, Func<RunReport?> LastReport)> start) => _start = start;

    /// <summary>Gets the run's report once enumeration has finished, also when the reader left early or cancelled it, or
    /// the run failed (with its exception on <see cref="Failure"/>); <see langword="null"/> before that, and after a run
    /// that failed before it started.</summary>
    public RunReport? Report { get; private set; }

    /// <summary>Gets the run's own failure (a <see cref="SourceFailedException"/>, a <see cref="RunFailedException"/>)
    /// once enumeration has finished, also when it could not be thrown to the reader because the reader left the loop
    /// (break, its own exception) or cancelled it; <see langword="null"/> when the run did not fail.</summary>
    public Exception? Failure { get; private set; }

    /// <inheritdoc/>
    public IAsyncEnumerator<ItemResult<T>> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A RunStream can be enumerated only once.");
        }

        return EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    private async IAsyncEnumerable<ItemResult<T>> EnumerateAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (reader, run, abort, lastReport) = _start(cancellationToken);
        var abandoned = new Internal.AbandonedReaderGuard(abort, run);
        var finished = false;
        var cancelled = false;

        // What the reader received, so that the report of a stream it left or cancelled counts only that (lib44).
        long deliveredSuccesses = 0;
        HashSet<long>? deliveredFailures = null;
        ExceptionDispatchInfo? runError = null;
        try
        {
            while (!cancelled && await WaitToReadAsync(reader, cancellationToken).ConfigureAwait(false) is { } more)
            {
                if (!more)
                {
                    finished = true;
                    break;
                }

                while (reader.TryRead(out var item))
                {
                    // Results already buffered are not handed out once the reader has asked to stop.
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }

                    if (item.IsSuccess)
                    {
                        deliveredSuccesses++;
                    }
                    else
                    {
                        (deliveredFailures ??= []).Add(item.Index);
                    }

                    yield return item;
                }

                cancelled = cancellationToken.IsCancellationRequested;
            }

            cancelled = !finished;
        }
        finally
        {
            abandoned.Disarm();
            if (!finished)
            {
                abort();
            }

            // Wait for the workers even when the reader left early: no work may outlive the enumeration.
            try
            {
                Report = await run.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Report = e switch
                {
                    RunCanceledException c => c.Report,
                    SourceFailedException s => s.Report,
                    RunFailedException f => f.Report,

                    // An exception that carries no report (an engine's own failure: a process engine disposed during
                    // the run) still leaves what the run did, which the reader is owed as much as after any other end.
                    _ => lastReport(),
                };

                // Thrown below, after the finally, which the reader's leaving the loop (break, its own exception)
                // does not reach: throwing here would replace the exception the loop is leaving with (this finally
                // runs inside the loop's DisposeAsync), so then the run's outcome is only on Report.
                runError = ExceptionDispatchInfo.Capture(e);
                Failure = e is OperationCanceledException ? null : e;
            }

            // Results finished after the reader stopped, or still buffered, never reached it: the report says so
            // rather than counting them as successes or failures the caller never saw.
            if (!finished && Report is not null)
            {
                Report = Report.ForDelivered(deliveredSuccesses, deliveredFailures ?? [], abandoned: !cancelled);
            }
        }

        if (finished)
        {
            runError?.Throw();
        }
        else if (cancelled)
        {
            // Cancelled through the reader's token (WithCancellation, or one already cancelled): like every other run.
            if (runError is not null && runError.SourceException is not OperationCanceledException && Report is null)
            {
                runError.Throw();
            }

            throw new RunCanceledException(Report ?? EmptyReport(), cancellationToken);
        }
    }

    // Null when the reader's token trips while waiting: the reader asked to stop, which is not a failure of the wait.
    private static async ValueTask<bool?> WaitToReadAsync(ChannelReader<ItemResult<T>> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static RunReport EmptyReport() => new() { Engine = "none", Cancelled = true };
}
