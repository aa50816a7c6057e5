using System.Diagnostics;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Passes the commands' stderr through to brigade's (<c>--stderr pass</c>): each command's as a whole when it ends, as
/// GNU parallel's <c>--group</c> does, so no line of it is mixed with another command's or with brigade's own lines. A
/// command that writes more than <see cref="StderrBuffer.Bound"/> bytes has them streamed through in chunks ending at
/// line ends (<c>\n</c> or <c>\r</c>; only a line longer than <see cref="StderrBuffer.LongLineBound"/> is cut), and
/// <see cref="ExecEventLoop"/> stops reading it until its chunk is written, as a pipe would stop it. A chunk already
/// written cannot be taken back: an attempt that <c>--retries</c> runs again has shown what it streamed.
/// </summary>
/// <remarks>
/// One thread writes, in the order things were queued, so that a terminal or a pipe that is slow (or stuck: a pager on its
/// first page, Ctrl+S) holds neither the event loop nor an engine's thread in a write: a finished command's stderr is
/// queued and the item goes on (its time, which auto mode measures, is the command's), and only when a megabyte already
/// waits does the next one wait for room (cancellable, so Ctrl+C is never held by stderr). Bytes go out as they are
/// (<see cref="ByteStdout"/>); a stderr that cannot be written drops them (<see cref="BestEffortWriter"/>).
/// </remarks>
internal sealed class CommandStderr(TextWriter stderr)
{
    // How much may wait for the writer before a finished command waits for room.
    private const long QueueLimit = 1 << 20;

    private readonly object _gate = new();
    private readonly Queue<(byte[] Bytes, Action? Written)> _queue = [];
    private long _queuedBytes;
    private bool _writing;
    private long _writes;
    private Thread? _writer;
    private TaskCompletionSource? _room;
    private TaskCompletionSource? _drained;
    private bool _broken;

    /// <summary>Queues a finished command's stderr; waits only while a megabyte already waits to be written.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while it waited.</exception>
    public async ValueTask WriteAsync(byte[]? bytes, CancellationToken cancellationToken)
    {
        if (bytes is null or { Length: 0 })
        {
            return;
        }

        while (true)
        {
            Task room;
            lock (_gate)
            {
                if (_queuedBytes < QueueLimit || _queue.Count == 0)
                {
                    EnqueueLocked(bytes, null);
                    return;
                }

                room = (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queues a running command's chunk without waiting; <paramref name="written"/> is called once it is written (or dropped).</summary>
    public void WriteChunk(byte[] bytes, Action written)
    {
        lock (_gate)
        {
            EnqueueLocked(bytes, written);
        }
    }

    /// <summary>
    /// Waits until everything queued is written, or until the writer made no progress for <paramref name="stuck"/> (a
    /// stderr nobody reads), and then no longer.
    /// </summary>
    /// <remarks>
    /// Giving up here does not free that stderr: the writer thread stays in its write, holding the stderr writer's lock,
    /// and brigade's next line there (the summary, written next) waits for it like any write to a stuck stderr. So the end
    /// of a run does wait for a stderr nobody reads, as any program's last write would (until the reader goes away); an
    /// interrupt does not (BatchJob writes its summary on another thread and waits for it a few seconds at most). Review 23 N5.
    /// </remarks>
    public async ValueTask FlushAsync(TimeSpan stuck)
    {
        var seen = -1L;
        var since = Stopwatch.GetTimestamp();
        while (true)
        {
            Task drained;
            lock (_gate)
            {
                if (_queue.Count == 0 && !_writing)
                {
                    return;
                }

                if (_writes != seen)
                {
                    seen = _writes;
                    since = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(since) >= stuck)
                {
                    return;
                }

                drained = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await Task.WhenAny(drained, Task.Delay(stuck / 4, CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private void EnqueueLocked(byte[] bytes, Action? written)
    {
        _queue.Enqueue((bytes, written));
        _queuedBytes += bytes.Length;
        if (_writer is null)
        {
            _writer = new Thread(Write) { IsBackground = true, Name = "brigade-stderr" };
            _writer.Start();
        }
        else
        {
            Monitor.Pulse(_gate);
        }
    }

    private void Write()
    {
        while (true)
        {
            (byte[] Bytes, Action? Written) next;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    _writing = false;
                    var drained = _drained;
                    _drained = null;
                    drained?.TrySetResult();
                    Monitor.Wait(_gate);
                }

                next = _queue.Dequeue();
                _writing = true;
            }

            WriteOut(next.Bytes);
            TaskCompletionSource? room;
            lock (_gate)
            {
                _writes++;
                _queuedBytes -= next.Bytes.Length;
                room = _room;
                _room = null;
            }

            room?.TrySetResult();
            next.Written?.Invoke();
        }
    }

    private void WriteOut(byte[] bytes)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            switch (stderr)
            {
                case ByteStdout raw:
                    raw.WriteBytes(bytes);
                    break;
                case BestEffortWriter bestEffort:
                    bestEffort.WriteBytes(bytes);
                    break;
                default:
                    // A writer of text only (tests, Windows): what UTF-8 makes of the bytes.
                    stderr.Write(Encoding.UTF8.GetString(bytes));
                    stderr.Flush();
                    break;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // A terminal that went away: the commands' stderr has nowhere to go; the run goes on.
            _broken = true;
        }
    }
}
