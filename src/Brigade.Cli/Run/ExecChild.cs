using Brigade.Auto;

namespace Brigade.Cli.Run;

/// <summary>
/// One command started by <see cref="ExecSpawner"/>: its process, the read ends of its stdout and stderr pipes and
/// its pidfd, watched by <see cref="ExecEventLoop"/> until all three are done. The loop thread owns the buffers and the
/// descriptors; the command's task reads the results once <see cref="Completion"/> has completed.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "A ManualResetEventSlim holds no OS handle unless its WaitHandle is used, which it never is here.")]
internal sealed class ExecChild(long id, int pid, int slot, int outFd, int errFd, int pidFd, CommandStderr? sink = null) : IExternalCpuSource
{
    private byte[]? _output;
    private int _outputLength;

    // What the running command's group was seen to use (under ReapGate), kept so that no reading goes down: the most CPU
    // seen, the run-queue wait seen (every increase of the group's sum added up; a process that exits takes its wait out of
    // the sum, and nothing moves it to its parent, as wait4 moves its CPU), the group's sum at the last reading and the
    // first process's own wait then (-1: never read).
    private TimeSpan _cpuSeen;
    private TimeSpan _runQueueSeen;
    private TimeSpan _groupRunQueue;
    private long _firstRunDelayNs = -1;
    private bool _killed;

    public long Id => id;

    public int Pid => pid;

    public int Slot => slot;

    /// <summary>Gets the command's stderr read so far (the loop thread's until <see cref="Completion"/> has completed).</summary>
    public StderrBuffer Stderr { get; } = new(sink is not null);

    /// <summary>Gets where the command's stderr is passed through, or null when it is dropped (<c>--stderr discard</c>).</summary>
    public CommandStderr? Sink => sink;

    // Descriptors still open; -1 once closed (by the loop thread only).
    public int OutFd { get; set; } = outFd;

    public int ErrFd { get; set; } = errFd;

    public int PidFd { get; set; } = pidFd;

    /// <summary>Guards reaping against a kill of the process tree: a process id is not reused before it is reaped.</summary>
    public Lock ReapGate { get; } = new();

    /// <summary>Gets what to say when the first process has exited and the output stays open (<see cref="LingerNotice"/>), or null.</summary>
    public LingerNotice? Linger { get; init; }

    /// <summary>Gets or sets the timer that says it (held here: a timer nothing references may be collected before it fires). Loop thread only.</summary>
    public Timer? LingerTimer { get; set; }

    /// <summary>Gets or sets the processes brigade killed with the command and their start times (<see cref="ProcessTree.Kill"/>), or null.</summary>
    public List<(int Pid, string? StartTime)>? KilledTree { get; set; }

    /// <summary>Gets or sets whether brigade is killing the command (its timeout, a stop): what still holds its output
    /// then is not reported as left in the background (<see cref="LingerNotice"/>).</summary>
    public bool Killed
    {
        get => Volatile.Read(ref _killed);
        set => Volatile.Write(ref _killed, value);
    }

    /// <summary>Gets or sets whether the first process exited (it stays unreaped, a zombie, until the output is closed too).</summary>
    public bool Exited { get; set; }

    /// <summary>Gets or sets whether the first process was reaped (<see cref="Status"/> and <see cref="CpuTime"/> are set).</summary>
    public bool Reaped { get; set; }

    /// <summary>Gets or sets the <c>wait4</c> status, or -1 when someone else reaped the process.</summary>
    public int Status { get; set; }

    /// <summary>Gets the CPU time the command used, set as it is reaped (<see cref="RecordReaped"/>): its processes' and
    /// that of the children they waited for (<c>wait4</c>), or more where the running group was seen to use more.</summary>
    public TimeSpan? CpuTime { get; private set; }

    /// <summary>Gets the command's time waiting for a core, set as it is reaped (<see cref="RecordReaped"/>): its first
    /// process's, and its other processes' as far as readings of the running group saw it (zero when unknown).</summary>
    public TimeSpan RunQueueWait { get; private set; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Set with Completion, for a thread that blocks for the command (WaitDone). No spinning: a command takes a
    // millisecond at the very least, and a waiter that spins (as Task.Wait does, ~35 rounds of yields) takes a core
    // from the commands on a small machine for nothing.
    private readonly ManualResetEventSlim _done = new(initialState: false, spinCount: 0);

    public bool IsDone => OutFd < 0 && ErrFd < 0 && Reaped;

    /// <summary>Marks the command over: wakes a thread blocked in <see cref="WaitDone"/>, then completes <see cref="Completion"/>. Loop thread only.</summary>
    public void Complete()
    {
        _done.Set();
        Completion.TrySetResult();
    }

    /// <summary>Reads what the command used so far, for auto mode while it runs: its whole process group's (a script's or a
    /// shell's programs are its children, in its group); once reaped, the figures <see cref="RecordReaped"/> set. The
    /// readings never go down: a child that exits leaves the group's sum with its wait for a core (and, until its parent
    /// waits for it, its CPU), which the command did spend.</summary>
    /// <returns>False when it cannot be read.</returns>
    public bool TryRead(out ExternalCpuReading reading)
    {
        // Reaping takes this lock too: until the first process is reaped its id, the group's, is its own (no reuse).
        lock (ReapGate)
        {
            if (Reaped)
            {
                reading = new ExternalCpuReading(CpuTime ?? TimeSpan.Zero, RunQueueWait, Runnable: false);
                return CpuTime is not null;
            }

            if (!ProcessCpuClock.TryReadGroup(pid, out var group))
            {
                reading = default;
                return false;
            }

            reading = NoteGroup(group, ProcessCpuClock.RunDelayNanoseconds(pid));
            return true;
        }
    }

    /// <summary>Adds a reading of the running group to what was seen (caller holds <see cref="ReapGate"/>), and returns the
    /// command's use so far: the most CPU any reading showed, and every increase of the group's run-queue wait added up.</summary>
    /// <param name="group">The group's sums now (<see cref="ProcessCpuClock.TryReadGroup"/>).</param>
    /// <param name="firstRunDelayNs">The first process's own run-queue wait now, in nanoseconds (0 when unknown).</param>
    internal ExternalCpuReading NoteGroup(in ExternalCpuReading group, long firstRunDelayNs)
    {
        if (group.CpuTime > _cpuSeen)
        {
            _cpuSeen = group.CpuTime;
        }

        // A drop is a process gone (its wait was counted while it ran); what grew since is counted from the lower sum on.
        if (group.RunQueueWait > _groupRunQueue)
        {
            _runQueueSeen += group.RunQueueWait - _groupRunQueue;
        }

        _groupRunQueue = group.RunQueueWait;
        _firstRunDelayNs = Math.Max(_firstRunDelayNs, firstRunDelayNs);
        return new ExternalCpuReading(_cpuSeen, _runQueueSeen, group.Runnable);
    }

    /// <summary>Records the reaped first process's figures (caller holds <see cref="ReapGate"/>): the CPU time from
    /// <c>wait4</c> (the command's processes and every child they waited for), or the most a running reading saw where
    /// that is more (a child left to another parent); the time waiting for a core the running readings saw, plus the first
    /// process's since the last of them (its whole wait where the group was never read). A child's wait is not in the
    /// first process's figures, so without a reading while it ran it is not known.</summary>
    /// <param name="status">The <c>wait4</c> status.</param>
    /// <param name="cpu">The <c>wait4</c> user and system time.</param>
    /// <param name="firstRunDelayNs">The first process's run-queue wait read before it was reaped, in nanoseconds.</param>
    internal void RecordReaped(int status, TimeSpan cpu, long firstRunDelayNs)
    {
        Status = status;
        CpuTime = cpu > _cpuSeen ? cpu : _cpuSeen;

        // (Never less than the first process's own: a reading of the group can be up to a scan's interval old.)
        var sinceRead = firstRunDelayNs - Math.Max(0, _firstRunDelayNs);
        var seen = _runQueueSeen + TimeSpan.FromTicks(Math.Max(0, sinceRead) / 100);
        var own = TimeSpan.FromTicks(Math.Max(0, firstRunDelayNs) / 100);
        RunQueueWait = seen > own ? seen : own;
    }

    /// <summary>Blocks until the command is over; false when <paramref name="timeout"/> passed first.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled first.</exception>
    public bool WaitDone(TimeSpan timeout, CancellationToken cancellationToken) => _done.Wait(timeout, cancellationToken);

    /// <summary>Gets the most stdout kept for one command (an array's limit, about 2 GiB; smaller in tests).</summary>
    public int MaxOutput { get; init; } = Array.MaxLength;

    /// <summary>Gets whether the command wrote more than <see cref="MaxOutput"/>: what it wrote was dropped, and it fails.</summary>
    public bool OutputTooLong { get; private set; }

    public void AppendOutput(ReadOnlySpan<byte> bytes)
    {
        if (OutputTooLong)
        {
            return; // read on to its end (the command is not held on a full pipe), and dropped
        }

        if ((long)_outputLength + bytes.Length > MaxOutput)
        {
            // Past an array's limit the length overflowed and the copy threw on the event loop's thread, which ended
            // brigade with a stack trace: the command fails instead, with the reason (ExecSpawner).
            OutputTooLong = true;
            _output = null;
            _outputLength = 0;
            return;
        }

        if (_output is null)
        {
            // Most commands write their output in one go: this array is then the result as it is.
            _output = bytes.ToArray();
            _outputLength = bytes.Length;
            return;
        }

        if (_outputLength + bytes.Length > _output.Length)
        {
            Array.Resize(ref _output, Math.Max(_outputLength + bytes.Length, (int)Math.Min(MaxOutput, _output.Length * 2L)));
        }

        bytes.CopyTo(_output.AsSpan(_outputLength));
        _outputLength += bytes.Length;
    }

    public byte[] TakeOutput()
    {
        if (_output is null)
        {
            return [];
        }

        return _outputLength == _output.Length ? _output : _output.AsSpan(0, _outputLength).ToArray();
    }

    public string StderrTail() => Stderr.Tail();
}
