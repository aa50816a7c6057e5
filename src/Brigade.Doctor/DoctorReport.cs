using Brigade.Diagnostics;

namespace Brigade.Doctor;

/// <summary>
/// A pitfall found in a dump, in the words and codes of Brigade's other reports: <c>BRG1001</c> deadlock,
/// <c>BRG1004</c> thread-pool starvation, <c>BRG1007</c> livelock (review 72: threads retrying each other's locks with a
/// finite <c>TryEnter</c>), <c>BRG1008</c> hang (pool threads blocked on unfinished tasks, or a thread
/// waiting on async flows all stuck on <c>SemaphoreSlim</c>s with no free slot). A deadlock of async flows has no
/// thread in its cycle: its <see cref="Threads"/> are the threads stuck behind it.
/// </summary>
public sealed class DoctorReport : PitfallReport
{
    internal DoctorReport(PitfallKind kind, string message, DateTimeOffset time, IReadOnlyList<DiagnosedThread> threads)
        : base(kind, message, time)
    {
        Threads = threads;
    }

    /// <summary>Gets the threads the report is about.</summary>
    public IReadOnlyList<DiagnosedThread> Threads { get; }
}
