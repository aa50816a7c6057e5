namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread waits on a <c>SemaphoreSlim</c> at 0 that nobody releases: blocked, but no owner to blame.</summary>
/// <remarks>Review 64c (in this program, not one of its own: each program costs the suite a dump): beside it, a
/// <c>SemaphoreSlim(0)</c> whose only releaser, a <c>Task.Run(() =&gt; ready.Release(), token)</c>, was cancelled before it
/// ran, and two threads waiting on it for ever. Before, "No pitfall found". Now a possible hang (BRG1008): the task is
/// Canceled, and the code that holds this semaphore and calls its <c>Release</c> runs on no thread. The first waiter stays
/// what it was: its semaphore is a static field no ended task's code releases. Review 65: the same with the semaphore in a
/// static field (<see cref="Opened"/>, released by a lambda that captures nothing: no closure holds it), which read "No
/// pitfall found".</remarks>
public sealed class SemaphoreWait : Scenario
{
    private static readonly SemaphoreSlim Slots = new(0);
    private static readonly SemaphoreSlim Opened = new(0);

    // Kept reachable, as a program's field or a live local would keep it: a GC before the dump would otherwise take it.
    private static Task? s_releaser;
    private static Task? s_opener;

    public override string Name => "semaphore-wait";

    public override Expectation Expected => new(Finding.Hang)
    {
        Blocked = ["sem-waiter"],
        WaitKinds = ["SemaphoreSlim"],
        HeldIn = "static field Brigade.Doctor.Corpus.Scenarios.SemaphoreWait.Slots",
        TextContains = "A possible hang: unless code the dump does not show releases it",
        Hangs =
        [
            new(["ready-waiter-a", "ready-waiter-b"], "a task cancelled before it ran", "() => ready.Release(),"),
            new(["opened-waiter"], "a task cancelled before it ran", "() => Opened.Release(),"),
        ],
    };

    public override void Start()
    {
        WaitUntilBlocked(Run("sem-waiter", () => Slots.Wait()));

        var ready = new SemaphoreSlim(0);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var releaser = Task.Run(
            () => ready.Release(),
            cancel.Token);
        s_releaser = releaser;

        // Review 65: the static one's releaser captures nothing (its lambda is on the compiler's singleton closure).
        var opener = Task.Run(
            () => Opened.Release(),
            cancel.Token);
        s_opener = opener;
        WaitUntil(() => releaser.IsCanceled && opener.IsCanceled);
        WaitUntilBlocked(Run("ready-waiter-a", () => ready.Wait()), Run("ready-waiter-b", () => ready.Wait()), Run("opened-waiter", () => Opened.Wait()));
    }
}
