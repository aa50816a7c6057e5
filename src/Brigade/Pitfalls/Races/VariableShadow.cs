using System.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>
/// The race detector's state for one tracked variable (FastTrack): the epoch of the last write, the epoch of the last
/// read (or, while reads are concurrent, a vector clock of reads), who made them and where, and the variable's own
/// synchronization clock for its atomic operations.
/// </summary>
/// <remarks>About 100 bytes per variable; a variable read concurrently by several flows also holds a read clock and
/// a read record per flow slot in use (4 bytes and about 40 bytes each).</remarks>
internal sealed class VariableShadow(RaceDetector detector, string name)
{
    // Guards every field below and, for atomic operations, the variable's value. A leaf: reports are published after it.
    public readonly Lock Gate = new();

    private long _write = RaceEpoch.None;
    private bool _writeAtomic;
    private long _read = RaceEpoch.None;
    private int[]? _reads;
    private AccessRecord[]? _readRecords;
    private AccessRecord _lastWrite;
    private AccessRecord _lastRead;
    private int[] _sync = [];
    private bool _reported;

    public RaceDetector Detector => detector;

    public string Name => name;

    /// <summary>Gets whether a race on this variable was reported: its plain accesses are no longer checked.</summary>
    public bool Reported => Volatile.Read(ref _reported);

    /// <summary>Checks and records a plain read; under <see cref="Gate"/>. Returns a race to report, or null.</summary>
    public RaceReport? Read(RaceFlow flow, string member, string file, int line)
    {
        var epoch = flow.Epoch;
        if (epoch == _read)
        {
            return null;   // the same flow read since its last synchronization: nothing new
        }

        if (_reads is { } reads && flow.Slot < reads.Length && reads[flow.Slot] == flow.TimeOf(flow.Slot))
        {
            return null;
        }

        RaceReport? race = null;
        if (!RaceEpoch.HappensBefore(_write, flow))
        {
            race = Race(flow, AccessKind.Read, member, file, line, _lastWrite);
        }

        var trace = detector.CaptureStackTraces ? new StackTrace(2, true) : null;
        if (_reads is null)
        {
            if (RaceEpoch.HappensBefore(_read, flow))
            {
                _read = epoch;
                _lastRead.Set(flow, AccessKind.Read, member, file, line, trace);
                return race;
            }

            // A second read that is concurrent with the first: keep a clock of reads from now on.
            var first = RaceEpoch.Slot(_read);
            var size = Math.Max(first, flow.Slot) + 1;
            _reads = new int[size];
            _readRecords = new AccessRecord[size];
            _reads[first] = RaceEpoch.Time(_read);
            _readRecords[first] = _lastRead;
            _read = RaceEpoch.None;
        }

        if (flow.Slot >= _reads.Length)
        {
            var size = flow.Slot + 1;
            Array.Resize(ref _reads, size);
            Array.Resize(ref _readRecords, size);
        }

        _reads[flow.Slot] = flow.TimeOf(flow.Slot);
        _readRecords![flow.Slot].Set(flow, AccessKind.Read, member, file, line, trace);
        return race;
    }

    /// <summary>Checks and records a plain write; under <see cref="Gate"/>.</summary>
    public RaceReport? Write(RaceFlow flow, string member, string file, int line)
    {
        var epoch = flow.Epoch;
        if (epoch == _write && !_writeAtomic)
        {
            return null;
        }

        var race = CheckWrite(flow, AccessKind.Write, member, file, line, checkAtomicWrite: true);
        _write = epoch;
        _writeAtomic = false;
        _lastWrite.Set(flow, AccessKind.Write, member, file, line, detector.CaptureStackTraces ? new StackTrace(2, true) : null);
        return race;
    }

    /// <summary>An atomic operation: checked against plain accesses only; it acquires and/or publishes through the
    /// variable. Under <see cref="Gate"/>, together with the operation on the value, so the clock follows the value.</summary>
    public RaceReport? Atomic(RaceFlow flow, bool reads, bool writes, string member, string file, int line)
    {
        if (reads && _sync.Length > 0)
        {
            flow.Join(_sync);
        }

        RaceReport? race = null;
        if (!writes)
        {
            if (!_writeAtomic && !RaceEpoch.HappensBefore(_write, flow))
            {
                race = Race(flow, AccessKind.AtomicRead, member, file, line, _lastWrite);
            }

            return race;
        }

        race = CheckWrite(flow, AccessKind.AtomicWrite, member, file, line, checkAtomicWrite: false);
        _write = flow.Epoch;
        _writeAtomic = true;
        _lastWrite.Set(flow, AccessKind.AtomicWrite, member, file, line, detector.CaptureStackTraces ? new StackTrace(2, true) : null);
        _sync = VectorClock.JoinInto(_sync, flow.Clock);
        flow.Tick();
        return race;
    }

    private RaceReport? CheckWrite(RaceFlow flow, AccessKind kind, string member, string file, int line, bool checkAtomicWrite)
    {
        RaceReport? race = null;
        if ((checkAtomicWrite || !_writeAtomic) && !RaceEpoch.HappensBefore(_write, flow))
        {
            race = Race(flow, kind, member, file, line, _lastWrite);
        }

        if (_reads is { } reads)
        {
            for (var slot = 0; slot < reads.Length; slot++)
            {
                if (reads[slot] > flow.TimeOf(slot) && slot != flow.Slot)
                {
                    race ??= Race(flow, kind, member, file, line, _readRecords![slot]);
                }
            }

            // Every read so far is ordered before this write, or reported: later accesses need only check the write.
            _reads = null;
            _readRecords = null;
            _read = RaceEpoch.None;
        }
        else if (!RaceEpoch.HappensBefore(_read, flow))
        {
            race ??= Race(flow, kind, member, file, line, _lastRead);
        }

        return race;
    }

    private RaceReport? Race(RaceFlow flow, AccessKind kind, string member, string file, int line, in AccessRecord previous)
    {
        if (_reported)
        {
            return null;
        }

        Volatile.Write(ref _reported, true);
        var current = new RaceAccess(kind, flow.Name, new AcquisitionSite(member, file, line, RaceDetector.UserFrames(new StackTrace(3, true))), byThread: flow.Thread is not null);
        var earlier = new RaceAccess(
            previous.Kind,
            previous.Flow?.Name ?? "an unknown flow",
            previous.File is null ? null : new AcquisitionSite(previous.Member ?? "", previous.File, previous.Line, RaceDetector.UserFrames(previous.Trace)),
            byThread: previous.Flow?.Thread is not null);
        return new RaceReport(name, current, earlier, detector.Diagnostics.TimeProvider.GetUtcNow());
    }
}
