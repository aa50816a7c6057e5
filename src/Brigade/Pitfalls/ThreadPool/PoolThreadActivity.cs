using System.Globalization;
using Brigade.Internal;

namespace Brigade.Diagnostics;

/// <summary>
/// Linux: how much the .NET thread pool's worker threads (named <c>.NET TP Worker</c>) wanted a core — their CPU time
/// plus their run-queue wait (<c>/proc/self/task/TID/schedstat</c>), summed over the workers, as a running total.
/// </summary>
/// <remarks>
/// Unlike the process's CPU time this does not depend on the machine's load: a worker that computes on a machine with
/// twenty runnable threads per core gets little CPU but waits in the run queue the rest of the time, so it counts as
/// fully busy; a worker blocked in <c>.Result</c> accrues neither. That is what tells a starved pool (blocked workers)
/// from a saturated one (computing workers). Reading costs a few microseconds per worker; a thread's name is read once.
/// </remarks>
internal sealed class PoolThreadActivity : IDisposable
{
    private const string TaskDirectory = "/proc/self/task";
    private const string WorkerName = ".NET TP Worker";

    // A thread seen without the worker name is looked at again after this many reads: a new thread takes its name a
    // moment after it starts.
    private const int RecheckOthersEvery = 20;

    private readonly Dictionary<int, Worker> _workers = [];
    private readonly HashSet<int> _others = [];
    private readonly HashSet<int> _seen = [];
    private long _total;
    private int _reads;

    private readonly Lock _gate = new();
    private bool _disposed;

    private PoolThreadActivity()
    {
    }

    /// <summary>Returns a reader, or null where the figures are not available (not Linux, no scheduler statistics).</summary>
    public static PoolThreadActivity? TryCreate()
    {
        if (!ThreadSchedStat.IsSupported || ThreadSchedStat.Open(ThreadSchedStat.CurrentThreadId()) is not { } probe)
        {
            return null;
        }

        probe.Dispose();
        var activity = new PoolThreadActivity();
        return activity.Read() >= 0 ? activity : null;
    }

    /// <summary>Gets how many per-thread files are open; for tests.</summary>
    internal int OpenFiles
    {
        get
        {
            lock (_gate)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>Returns the running total, in ticks (100 ns), of the time pool workers ran or were ready to run; -1 if unreadable.</summary>
    public long Read()
    {
        // The monitor's timer can tick while it is disposed: one reader at a time, none after Dispose.
        lock (_gate)
        {
            return _disposed ? -1 : ReadLocked();
        }
    }

    private long ReadLocked()
    {
        if (++_reads % RecheckOthersEvery == 0)
        {
            _others.Clear();
        }

        _seen.Clear();
        try
        {
            foreach (var path in Directory.EnumerateDirectories(TaskDirectory))
            {
                if (!int.TryParse(Path.GetFileName(path), NumberStyles.None, CultureInfo.InvariantCulture, out var tid) || _others.Contains(tid))
                {
                    continue;
                }

                if (!_workers.TryGetValue(tid, out var worker))
                {
                    if (!IsWorker(path) || ThreadSchedStat.Open(tid) is not { } reader)
                    {
                        _others.Add(tid);
                        continue;
                    }

                    _workers[tid] = worker = new Worker(reader);
                }

                var cpu = ThreadSchedStat.CpuTicksOf(tid);
                var wait = worker.Reader.RunQueueWaitTicks();
                if (cpu < 0 || wait < 0)
                {
                    continue;   // it exited: dropped below
                }

                _seen.Add(tid);
                var busy = cpu + wait;
                _total += Math.Max(0, busy - worker.Last);
                worker.Last = busy;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }

        foreach (var tid in _workers.Keys.Where(t => !_seen.Contains(t)).ToList())
        {
            _workers[tid].Reader.Dispose();
            _workers.Remove(tid);
        }

        return _total;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var worker in _workers.Values)
            {
                worker.Reader.Dispose();
            }

            _workers.Clear();
        }
    }

    private static bool IsWorker(string taskPath)
    {
        try
        {
            return File.ReadAllText(Path.Combine(taskPath, "comm")).TrimEnd('\n') == WorkerName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private sealed class Worker(ThreadSchedStat reader)
    {
        public ThreadSchedStat Reader { get; } = reader;

        public long Last { get; set; }
    }
}
