using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Brigade;

/// <summary>Results of a run as they finish, in completion order, followed by the run's report.</summary>
/// <typeparam name="T">The type of the work's result.</typeparam>
/// <remarks>
/// The run starts when enumeration starts and can be enumerated once. Workers wait when the reader falls behind
/// by <see cref="RunOptions.StreamCapacity"/> results. Leaving the loop early (break, exception) cancels the run
/// and waits for running items to finish, so no worker outlives the loop.
/// </remarks>
public sealed class RunStream<T> : IAsyncEnumerable<ItemResult<T>>
{
    private readonly Func<CancellationToken, (ChannelReader<ItemResult<T>> Reader, Task<RunReport> Run, Action Abort)> _start;
    private int _started;

    internal RunStream(Func<CancellationToken, (ChannelReader<ItemResult<T>> Reader, Task<RunReport> Run, Action Abort)> start) => _start = start;

    /// <summary>Gets the run's report once enumeration has finished, also when the reader left early or cancelled it;
    /// <see langword="null"/> before that, and after a run that failed (its exception carries what it has).</summary>
    public RunReport? Report { get; private set; }

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
        var (reader, run, abort) = _start(cancellationToken);
        var finished = false;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    // Results already buffered are not handed out once the reader has asked to stop.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return item;
                }
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                abort();
            }

            // Wait for the workers even when the reader left early: no work may outlive the enumeration.
            try
            {
                Report = await run.ConfigureAwait(false);
            }
            catch (RunCanceledException e) when (!finished)
            {
                Report = e.Report;
            }
            catch (OperationCanceledException) when (!finished)
            {
            }
        }
    }
}
