using Brigade.Internal;

namespace Brigade.Diagnostics;

/// <summary>
/// A thread's run-queue wait (<c>/proc/self/task/TID/schedstat</c>, <see cref="ThreadSchedStat"/>), read again and again with
/// its procfs file opened once per thread: the one clock of the engine's worker loops (<c>EngineWorker</c>), a worker
/// process's chunks (<c>RemoteItemExecutor</c>) and the livelock watchdog (<c>ProgressParticipant</c>), which each kept
/// their own cache of the file before review 66. Readings are in ticks (100 ns) since the thread started; -1 where unknown.
/// </summary>
/// <remarks>Not thread-safe: one owner reads it (the watchdog's readers serialize under their own lock).</remarks>
internal sealed class RunQueueClock
{
    // The last reading's thread: its managed id for the calling thread's readings (no system call to tell it), or its
    // operating-system id for another thread's.
    private int _thread = -1;
    private ThreadSchedStat? _reader;

    // Whether _reader was opened by this clock (another thread's), not borrowed from the calling thread's own
    // (ThreadSchedStat.ForCurrentThread, which the thread keeps across runs and releases when it ends).
    private bool _owned;

    /// <summary>Returns the calling thread's run-queue wait, or -1.</summary>
    /// <param name="moved">Whether the calling thread is another than the last reading's (or this is the first reading):
    /// the wait between the two readings is then not one thread's, and the caller starts afresh from this one.</param>
    public long ReadCurrentThread(out bool moved)
    {
        var thread = Environment.CurrentManagedThreadId;
        moved = thread != _thread || _owned;
        if (moved)
        {
            ReleaseOwned();
            _thread = thread;
            _reader = ThreadSchedStat.ForCurrentThread(ThreadSchedStat.CurrentThreadId());
        }

        return _reader?.RunQueueWaitTicks() ?? -1;
    }

    /// <summary>Returns the calling thread's run-queue wait once, with the thread's own kept reader, or -1.</summary>
    public static long ReadCallingThread() => ThreadSchedStat.ForCurrentThread(ThreadSchedStat.CurrentThreadId())?.RunQueueWaitTicks() ?? -1;

    /// <summary>Returns the run-queue wait of thread <paramref name="threadId"/> of this process (its operating-system id),
    /// read from any thread, or -1. The file is opened again only when the thread is another than the last reading's.</summary>
    public long ReadThread(int threadId)
    {
        if (!_owned || _thread != threadId)
        {
            ReleaseOwned();
            _thread = threadId;
            _reader = threadId > 0 ? ThreadSchedStat.Open(threadId) : null;
            _owned = true;
        }

        return _reader?.RunQueueWaitTicks() ?? -1;
    }

    /// <summary>Closes the file of another thread's readings (a calling thread's own stays with the thread). Not a
    /// <see cref="IDisposable"/>: a clock of the calling thread's readings holds nothing to close.</summary>
    public void Close()
    {
        ReleaseOwned();
        _reader = null;
        _thread = -1;
    }

    private void ReleaseOwned()
    {
        if (_owned)
        {
            _reader?.Dispose();
            _owned = false;
        }
    }
}
