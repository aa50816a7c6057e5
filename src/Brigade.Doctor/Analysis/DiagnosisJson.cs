using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Brigade.Doctor.Analysis;

/// <summary>The JSON document of <c>brigade doctor --json</c>: fields are added, never renamed or removed.</summary>
internal static class DiagnosisJson
{
    public static string Serialize(Diagnosis diagnosis)
    {
        var document = new DoctorJsonDocument
        {
            ProcessId = diagnosis.ProcessId,
            Runtime = diagnosis.RuntimeVersion,
            DumpSeconds = Math.Round(diagnosis.DumpDuration.TotalSeconds, 3),
            AnalysisSeconds = Math.Round(diagnosis.AnalysisDuration.TotalSeconds, 3),
            DumpPath = diagnosis.DumpPath,
            Notes = diagnosis.Notes.Count == 0 ? null : [.. diagnosis.Notes],
            Pitfalls = [.. diagnosis.Reports.Select(r => new DoctorJsonPitfall(r.Code, r.Kind.ToString(), r.Message, [.. r.Threads.Select(t => t.ManagedThreadId)]))],
            Deadlocks = [.. diagnosis.Deadlocks.Select(d => new DoctorJsonCycle(
                [.. d.Links.Select(l => new DoctorJsonLink(l.Waiter.ManagedThreadId, l.Holder.ManagedThreadId, Wait(l.Wait)))],
                [.. d.AlsoStuck.Select(t => t.ManagedThreadId)], d.IsPossible,
                d.AsyncLinks.Count == 0 ? null : [.. d.AsyncLinks.Select(l => new DoctorJsonAsyncLink(Task(l.Flow), Semaphore(l.Semaphore), Task(l.HeldBy), l.HeldAt))],
                d.AwaitCycle is { } awaits ? [.. awaits.Steps.Select(s => new DoctorJsonAwaitStep(Hex(s.Address), s.Task.Description, s.ToNext.ToString(), s.Evidence))] : null))],
            SyncOverAsync = [.. diagnosis.SyncOverAsync.Select(t => t.ManagedThreadId)],
            BlockedWithoutOwner = [.. diagnosis.BlockedWithoutOwner.Select(t => t.ManagedThreadId)],
            ThreadPool = diagnosis.ThreadPool is { } p
                ? new DoctorJsonPool(p.Workers, p.Idle, p.Running, p.Blocked, p.BlockedOnTasks, p.QueuedWorkItems, [.. p.QueuedExamples], p.MinThreads, p.MaxThreads, p.IsStarved)
                : null,
            Threads = [.. diagnosis.Threads.Select(t => new DoctorJsonThread(t.ManagedThreadId, t.OSThreadId, t.Name, t.IsThreadPoolWorker, t.IsIdle,
                t.Wait is null ? null : Wait(t.Wait), [.. t.Frames.Select(Frame)]))],
        };
        return JsonSerializer.Serialize(document, DoctorJsonContext.Default.DoctorJsonDocument);
    }

    private static DoctorJsonWait Wait(ThreadWait wait) => new(
        wait.Kind.ToString(), wait.Api,
        wait.Target is { } t ? new DoctorJsonObject(Hex(t.Address), t.TypeName, t.HeldIn) : null,
        [.. wait.Owners], wait.Detail, wait.Task is null ? null : Task(wait.Task), wait.Site is null ? null : Frame(wait.Site));

    private static DoctorJsonTask Task(AwaitedTask task) =>
        new(Hex(task.Address), task.Description, task.Status, task.RunningOnThread, task.ContinuationQueued, task.Awaits is null ? null : Task(task.Awaits),
            task.Semaphore is null ? null : Semaphore(task.Semaphore), task.AwaitsAll.Count == 0 ? null : [.. task.AwaitsAll.Select(Task)]);

    private static DoctorJsonSemaphore Semaphore(AsyncSemaphore semaphore) =>
        new(new DoctorJsonObject(Hex(semaphore.Target.Address), semaphore.Target.TypeName, semaphore.Target.HeldIn), semaphore.CurrentCount, semaphore.MaxCount, semaphore.AsyncWaiters);

    private static DoctorJsonFrame Frame(DiagnosedFrame frame) => new(frame.Method, frame.File, frame.Line);

    private static string Hex(ulong address) => "0x" + address.ToString("x", CultureInfo.InvariantCulture);
}

internal sealed class DoctorJsonDocument
{
    public int Version { get; init; } = 1;

    public int? ProcessId { get; init; }

    public required string Runtime { get; init; }

    public double DumpSeconds { get; init; }

    public double AnalysisSeconds { get; init; }

    public string? DumpPath { get; init; }

    public List<string>? Notes { get; init; }

    public required List<DoctorJsonPitfall> Pitfalls { get; init; }

    public required List<DoctorJsonCycle> Deadlocks { get; init; }

    public required List<int> SyncOverAsync { get; init; }

    public required List<int> BlockedWithoutOwner { get; init; }

    public DoctorJsonPool? ThreadPool { get; init; }

    public required List<DoctorJsonThread> Threads { get; init; }
}

internal sealed record DoctorJsonPitfall(string Code, string Kind, string Message, List<int> Threads);

internal sealed record DoctorJsonCycle(List<DoctorJsonLink> Links, List<int> AlsoStuck, bool Possible, List<DoctorJsonAsyncLink>? AsyncLinks = null, List<DoctorJsonAwaitStep>? Awaits = null);

/// <summary>Review 57: one step of a cycle of awaits: the task or async method, and why it waits for the next step
/// (<c>Awaits</c>, a fact; <c>Completes</c> or <c>Holds</c>, inferred).</summary>
internal sealed record DoctorJsonAwaitStep(string Address, string Description, string WaitsForNext, string? Evidence);

internal sealed record DoctorJsonAsyncLink(DoctorJsonTask Flow, DoctorJsonSemaphore WaitsOn, DoctorJsonTask HeldBy, string HeldAt);

internal sealed record DoctorJsonSemaphore(DoctorJsonObject Object, int CurrentCount, int? MaxCount, int AsyncWaiters);

internal sealed record DoctorJsonLink(int Thread, int WaitsFor, DoctorJsonWait Wait);

internal sealed record DoctorJsonWait(string Kind, string Api, DoctorJsonObject? Object, List<int> Owners, string? Detail, DoctorJsonTask? Task, DoctorJsonFrame? Site);

internal sealed record DoctorJsonObject(string Address, string Type, string? HeldIn);

internal sealed record DoctorJsonTask(string Address, string Description, string Status, int? RunningOnThread, bool ContinuationQueued, DoctorJsonTask? Awaits,
    DoctorJsonSemaphore? Semaphore = null, List<DoctorJsonTask>? AwaitsAll = null);

internal sealed record DoctorJsonFrame(string Method, string? File, int? Line);

internal sealed record DoctorJsonPool(int Workers, int Idle, int Running, int Blocked, int BlockedOnTasks, int QueuedWorkItems, List<string> QueuedExamples, int MinThreads, int MaxThreads, bool Starved);

internal sealed record DoctorJsonThread(int ManagedId, uint OsId, string? Name, bool ThreadPool, bool Idle, DoctorJsonWait? Wait, List<DoctorJsonFrame> Frames);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = true)]
[JsonSerializable(typeof(DoctorJsonDocument))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
