namespace Brigade.Doctor.Analysis;

/// <summary>The pieces a <see cref="Diagnosis"/> is made of, gathered by <see cref="DumpAnalyzer"/>.</summary>
internal sealed class DiagnosisParts
{
    public int? ProcessId { get; init; }

    public required string RuntimeVersion { get; init; }

    public required IReadOnlyList<DiagnosedThread> Threads { get; init; }

    public required IReadOnlyList<DeadlockCycle> Deadlocks { get; init; }

    public required IReadOnlyList<DiagnosedThread> SyncOverAsync { get; init; }

    public ThreadPoolSnapshot? ThreadPool { get; init; }

    public required IReadOnlyList<DiagnosedThread> BlockedWithoutOwner { get; init; }

    public required IReadOnlyList<DoctorReport> Reports { get; init; }

    public TimeSpan DumpDuration { get; init; }

    public TimeSpan AnalysisDuration { get; init; }

    public string? DumpPath { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];
}
