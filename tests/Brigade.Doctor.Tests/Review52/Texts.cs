using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review52;

/// <summary>The text of a diagnosis of a few threads, none in a cycle: what "Other blocked threads" says of each.</summary>
internal static class Texts
{
    public static string Of(params DiagnosedThread[] threads) => new Diagnosis(new DiagnosisParts
    {
        RuntimeVersion = "10.0",
        Threads = threads,
        Deadlocks = [],
        SyncOverAsync = [],
        BlockedWithoutOwner = [.. threads.Where(t => t.Wait is { Owners.Count: 0 })],
        Reports = [],
    }).ToString();

    public static DiagnosedThread Thread(int id, string name, WaitKind kind, string api, string targetType, string heldIn, IReadOnlyList<int> owners, string? detail = null,
        IReadOnlyDictionary<int, string>? roles = null)
    {
        var site = new DiagnosedFrame($"Shop.Worker.Run{id}", "Worker.cs", 10 + id, isFramework: false);
        return new DiagnosedThread(id, (uint)(4000 + id), name, isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(kind, api, new WaitObject(0x7f0000001000 + (ulong)id * 0x100, targetType, heldIn), owners, task: null, detail, site, roles), [site]);
    }
}
