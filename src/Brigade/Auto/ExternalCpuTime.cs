namespace Brigade.Auto;

/// <summary>
/// Lets work tell Brigade about CPU time it caused outside the thread that ran it, such as in a child process it
/// started and waited for, so that auto mode measures the work as CPU-bound rather than as waiting, and the run's
/// report counts that CPU time.
/// </summary>
/// <remarks>
/// Auto mode measures CPU time on the thread that runs an item. Work that runs a command and waits for it shows
/// almost none, and would be planned as blocking I/O and widened past the core count. Reporting the child's CPU
/// time (for instance from <c>getrusage(RUSAGE_CHILDREN)</c> or the child's <c>/proc/PID/stat</c>) corrects that.
/// The time also counts in the run's report, whatever the engine: the batch's CPU time on the timeline, the worker's
/// and the run's CPU time (<see cref="RunReport.WorkerCpuTime"/>, <see cref="RunReport.ProcessCpuTime"/>) and
/// <see cref="RunReport.Losses"/> (a reported wait for a core counts as waiting for a core). Calls outside a run's
/// items do nothing.
/// </remarks>
/// <example>
/// <code>
/// await Runner.ForEachAsync(files, async (file, ct) =&gt;
/// {
///     var cpu = await RunCommandAsync("gzip", file, ct);   // returns the child's user + system time
///     ExternalCpuTime.Add(cpu);
/// });
/// </code>
/// </example>
public static class ExternalCpuTime
{
    private static readonly AsyncLocal<CpuAccount?> Current = new();

    /// <summary>Adds CPU time used on behalf of the current item outside its thread.</summary>
    /// <param name="cpuTime">The CPU time; negative values are ignored.</param>
    public static void Add(TimeSpan cpuTime)
    {
        if (cpuTime > TimeSpan.Zero)
        {
            Current.Value?.Add(cpuTime.Ticks);
        }
    }

    /// <summary>Adds CPU time used on behalf of the current item outside its thread, and the time that work waited for a
    /// core (a busy machine): the wait is not the item's own, so a computing child on a busy machine is not taken for one
    /// that waits (its CPU time against its time in flight would be).</summary>
    /// <param name="cpuTime">The CPU time; negative values are ignored.</param>
    /// <param name="runQueueWait">The time spent ready to run but waiting for a core (on Linux, <c>/proc/PID/schedstat</c>'s
    /// second field); negative values are ignored.</param>
    public static void Add(TimeSpan cpuTime, TimeSpan runQueueWait)
    {
        if (Current.Value is not { } account)
        {
            return;
        }

        if (cpuTime > TimeSpan.Zero)
        {
            account.Add(cpuTime.Ticks);
        }

        if (runQueueWait > TimeSpan.Zero)
        {
            account.AddRunQueue(runQueueWait.Ticks);
        }
    }

    /// <summary>
    /// Lets auto mode read, while the current item still runs, the CPU time <paramref name="source"/> has used so far (a
    /// child process the item waits for), so that a long command is recognised as waiting or computing before it
    /// finishes. Dispose the scope when it is over (a <c>using</c> statement), then <see cref="Add(TimeSpan, TimeSpan)"/> its final figure.
    /// </summary>
    /// <param name="source">What uses CPU time on behalf of the item; read by auto mode's controller, from another thread.</param>
    /// <returns>A scope that stops the reading when disposed.</returns>
    /// <remarks>An item has one running source at a time: a second scope replaces the first. Auto mode also forgets the
    /// source when the worker starts its next batch. Only auto mode reads a running source; calls outside a run's items do nothing.</remarks>
    /// <example>
    /// <code>
    /// using (ExternalCpuTime.Track(child))   // child : IExternalCpuSource, reads /proc/PID/stat
    /// {
    ///     await child.WaitForExitAsync(ct);
    /// }
    /// ExternalCpuTime.Add(child.TotalCpuTime);
    /// </code>
    /// </example>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static ExternalCpuScope Track(IExternalCpuSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var account = Current.Value;
        account?.SetRunning(source);
        return new ExternalCpuScope(account, source);
    }

    /// <summary>Gets the account the calling flow's items report to, if any.</summary>
    internal static CpuAccount? CurrentAccount => Current.Value;

    internal static void Attach(CpuAccount account) => Current.Value = account;

    /// <summary>A worker's running total of externally reported CPU time.</summary>
    /// <remarks>An account may pass everything on to a parent: a run's worker (<see cref="EngineWorker"/>) keeps its own
    /// for the report, and passes it on to auto mode's worker account that was current where it started (auto's planning
    /// reads that one, as before), or to the account of an enclosing run's item (a run nested in an item: the outer item
    /// caused that CPU time too).</remarks>
    /// <param name="owner">What the account belongs to (a run), so that a worker of the same run does not take it for a parent; null for auto mode's.</param>
    /// <param name="parent">The account everything is passed on to, or null.</param>
    internal sealed class CpuAccount(object? owner = null, CpuAccount? parent = null)
    {
        private long _ticks;
        private long _runQueueTicks;
        private IExternalCpuSource? _running;
        private long _runningSeq;

        public long Ticks => Volatile.Read(ref _ticks);

        /// <summary>Gets what the account belongs to (a run), or null.</summary>
        public object? Owner => owner;

        /// <summary>Gets the account everything is passed on to, or null.</summary>
        public CpuAccount? Parent => parent;

        /// <summary>Gets what the worker's current item has running outside its thread, if it said so.</summary>
        public IExternalCpuSource? Running => Volatile.Read(ref _running);

        /// <summary>Gets a number that changes with every <see cref="SetRunning"/>: with the source's identity, a reader
        /// tells one command from the next even where one source object is used again.</summary>
        public long RunningSeq => Volatile.Read(ref _runningSeq);

        public void Add(long ticks)
        {
            Interlocked.Add(ref _ticks, ticks);
            parent?.Add(ticks);
        }

        /// <summary>Gets the external work's reported time waiting for a core, in ticks.</summary>
        public long RunQueueTicks => Volatile.Read(ref _runQueueTicks);

        public void AddRunQueue(long ticks)
        {
            Interlocked.Add(ref _runQueueTicks, ticks);
            parent?.AddRunQueue(ticks);
        }

        public void SetRunning(IExternalCpuSource source)
        {
            Interlocked.Increment(ref _runningSeq);
            Volatile.Write(ref _running, source);
            parent?.SetRunning(source);
        }

        /// <summary>Forgets any running source (a new batch starts: what an earlier item left behind is stale).</summary>
        public void ClearRunning()
        {
            if (Volatile.Read(ref _running) is not null)
            {
                Volatile.Write(ref _running, null);
            }
        }

        public void ClearRunning(IExternalCpuSource source)
        {
            Interlocked.CompareExchange(ref _running, null, source);
            parent?.ClearRunning(source);
        }
    }
}
