using Brigade.Doctor.Analysis;

namespace Brigade.Doctor;

/// <summary>
/// What <see cref="Doctor"/> found in a process or a dump: every thread and what it waits for, the deadlock cycles,
/// the threads blocked on tasks (sync-over-async), the thread pool's state, and the pitfalls as Brigade reports.
/// </summary>
public sealed class Diagnosis
{
    internal Diagnosis(DiagnosisParts parts)
    {
        ProcessId = parts.ProcessId;
        RuntimeVersion = parts.RuntimeVersion;
        Threads = parts.Threads;
        Deadlocks = parts.Deadlocks;
        SyncOverAsync = parts.SyncOverAsync;
        ThreadPool = parts.ThreadPool;
        BlockedWithoutOwner = parts.BlockedWithoutOwner;
        Reports = parts.Reports;
        DumpDuration = parts.DumpDuration;
        AnalysisDuration = parts.AnalysisDuration;
        DumpPath = parts.DumpPath;
        Notes = parts.Notes;
    }

    /// <summary>Gets what the analysis could not do and why (a module rebuilt since the dump, a heap too large to walk):
    /// one sentence each, printed after the findings.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Gets the diagnosed process's id, or null for a dump given as a file.</summary>
    public int? ProcessId { get; }

    /// <summary>Gets the version of the process's .NET runtime, as far as the dump says (such as <c>10.0.12</c>).</summary>
    public string RuntimeVersion { get; }

    /// <summary>Gets every live managed thread, in the runtime's order.</summary>
    public IReadOnlyList<DiagnosedThread> Threads { get; }

    /// <summary>Gets the deadlock cycles; empty when there is none.</summary>
    public IReadOnlyList<DeadlockCycle> Deadlocks { get; }

    /// <summary>Gets the threads blocked synchronously on an unfinished task (<c>.Result</c>, <c>.Wait()</c>, <c>GetAwaiter().GetResult()</c>).</summary>
    public IReadOnlyList<DiagnosedThread> SyncOverAsync { get; }

    /// <summary>Gets the thread pool's state, or null when the dump does not show it.</summary>
    public ThreadPoolSnapshot? ThreadPool { get; }

    /// <summary>Gets the threads of the application blocked on something no particular thread owns (a semaphore, an event,
    /// <c>Monitor.Wait</c>, a task nobody runs): listed, never called a deadlock.</summary>
    public IReadOnlyList<DiagnosedThread> BlockedWithoutOwner { get; }

    /// <summary>Gets the pitfalls found, as Brigade reports (<c>BRG1001</c>, <c>BRG1004</c>, <c>BRG1007</c>, <c>BRG1008</c>).</summary>
    public IReadOnlyList<DoctorReport> Reports { get; }

    /// <summary>Gets whether any pitfall was found.</summary>
    public bool HasPitfalls => Reports.Count > 0;

    /// <summary>Gets how long taking the dump took (zero for a dump given as a file).</summary>
    public TimeSpan DumpDuration { get; }

    /// <summary>Gets how long reading and analyzing the dump took.</summary>
    public TimeSpan AnalysisDuration { get; }

    /// <summary>Gets where the dump was kept, or null when it was deleted (or given as a file).</summary>
    public string? DumpPath { get; }

    /// <summary>Gets the diagnosis as one JSON document (the shape of <c>brigade doctor --json</c>).</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => DiagnosisJson.Serialize(this);

    /// <summary>Returns the report a person reads: the pitfalls with their threads and stacks, then the other blocked threads and the pool.</summary>
    /// <returns>The text of <c>brigade doctor</c>.</returns>
    public override string ToString() => DiagnosisText.Write(this);
}
