namespace Brigade.Doctor;

/// <summary>Why a thread is blocked: the API it blocks in, on what, and the threads it waits for.</summary>
public sealed class ThreadWait
{
    internal ThreadWait(WaitKind kind, string api, WaitObject? target, IReadOnlyList<int> owners, AwaitedTask? task, string? detail, DiagnosedFrame? site,
        IReadOnlyDictionary<int, string>? holderRoles = null)
    {
        HolderRoles = holderRoles ?? new Dictionary<int, string>();
        Kind = kind;
        Api = api;
        Target = target;
        Owners = owners;
        Task = task;
        Detail = detail;
        Site = site;
    }

    /// <summary>Gets the kind of wait.</summary>
    public WaitKind Kind { get; }

    /// <summary>Gets the blocking API as the stack shows it, such as <c>Monitor.Enter</c> or <c>Task&lt;int&gt;.Result</c>.</summary>
    public string Api { get; }

    /// <summary>Gets the lock, event, semaphore, thread or task object waited on, when the stack roots show it.</summary>
    public WaitObject? Target { get; }

    /// <summary>Gets the managed ids of the threads this wait cannot end without: the holder of the lock, the readers a
    /// writer waits for, the joined thread, the thread running the awaited task. Empty for waits with no owner to blame.</summary>
    public IReadOnlyList<int> Owners { get; }

    /// <summary>Gets, for a <c>ReaderWriterLockSlim</c> wait, what each owner holds ("write lock", "read lock",
    /// "upgradeable read lock"), so that a report names each holder once, with its role.</summary>
    internal IReadOnlyDictionary<int, string> HolderRoles { get; }

    /// <summary>Gets, for <see cref="WaitKind.Task"/>, the task waited for and what it awaits.</summary>
    public AwaitedTask? Task { get; }

    /// <summary>Gets more about the object, such as <c>count 0</c> for a semaphore or <c>2 readers</c>.</summary>
    public string? Detail { get; }

    /// <summary>Gets the application's frame that made the blocking call, when the stack has one.</summary>
    public DiagnosedFrame? Site { get; }

    /// <summary>Gets whether waits of this kind can have an owner (a thread whose progress they need).</summary>
    public bool HasOwnerSemantics => Kind is WaitKind.Monitor or WaitKind.Lock or WaitKind.ReaderWriterLockWrite or WaitKind.ReaderWriterLockRead
        or WaitKind.ReaderWriterLockUpgrade or WaitKind.ThreadJoin or WaitKind.BrigadePrimitive or WaitKind.TypeInitializer or WaitKind.CancellationCallback or WaitKind.SpinLock or WaitKind.PendingFinalizers;

    /// <summary>Returns the API, the object and the call site.</summary>
    /// <returns>For example <c>Monitor.Enter on System.Object (static field Bank.B) at Bank.Transfer (Bank.cs:48)</c>.</returns>
    public override string ToString()
    {
        var text = Api;
        if (Target is not null && Kind != WaitKind.Task)
        {
            text += $" on {Target}";
        }

        if (Detail is not null)
        {
            text += $" ({Detail})";
        }

        if (Task is not null)
        {
            text += $" on {Task}";
        }

        return Site is null ? text : $"{text} at {Site}";
    }
}
