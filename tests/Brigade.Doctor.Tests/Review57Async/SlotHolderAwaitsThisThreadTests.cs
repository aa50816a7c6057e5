using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review57Async;

/// <summary>Review 57: a thread in <c>SemaphoreSlim.Wait</c> whose slot an async flow holds while awaiting a
/// <c>TaskCompletionSource</c> the thread completes after its wait was listed, "that flow is suspended: it releases the slot
/// when what it awaits completes, unless that never comes", with "No pitfall found" (review 56 called it vague). The heap and
/// IL side (which source the flow awaits, which thread's method completes it after its Wait) was checked on a hung program
/// (/tmp/doctor57-progs, mode SyncWaitOverAsyncHolder); the report's wording is what is tested here, in process.</summary>
public sealed class SlotHolderAwaitsThisThreadTests
{
    private const string Detail = "count 0 of 1, its slot taken by async flow Shop.Replies.PostAsync at Replies.Gate.WaitAsync() (Program.cs:347), "
        + "which awaits the task of a TaskCompletionSource that nothing has completed yet: System.Threading.Tasks.TaskCompletionSource<System.Int32> (static field Shop.Replies.Reply)"
        + ReportBuilder.OwnCompletion + " (Replies.Reply.SetResult(...) at Program.cs:339): the flow waits for this thread, and this thread for the flow";

    [Fact]
    public void TheThreadThatWouldCompleteWhatTheHolderAwaits_IsAPossibleDeadlockOfOne()
    {
        var replier = Review52.Texts.Thread(7, "replier", WaitKind.SemaphoreSlim, "SemaphoreSlim.Wait", "System.Threading.SemaphoreSlim", "static field Shop.Replies.Gate", [7], Detail);
        var cycle = new DeadlockCycle([new DeadlockLink(replier, replier)], []) { IsPossible = true };

        var text = ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [replier], []).Single().Message;

        // Failed before: "waits for work that only it can run (SemaphoreSlim); unless a semaphore slot was released ...", and
        // the advice for a thread with a SynchronizationContext blocked on a task.
        Assert.StartsWith("Deadlock detected: thread 'replier' (#7) waits on a SemaphoreSlim whose only slot an async flow holds while it awaits a TaskCompletionSource that this thread completes only after its wait; unless other code releases the slot or completes that source, it can never proceed.", text, StringComparison.Ordinal);
        Assert.Contains("which awaits the task of a TaskCompletionSource that nothing has completed yet", text, StringComparison.Ordinal);
        Assert.Contains("this thread's own code completes that source after this Wait (Replies.Reply.SetResult(...) at Program.cs:339)", text, StringComparison.Ordinal);
        Assert.Contains("A possible deadlock: neither a SemaphoreSlim nor a TaskCompletionSource records an owner.", text, StringComparison.Ordinal);
        Assert.Contains("complete the source before taking the lock", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SynchronizationContext", text, StringComparison.Ordinal);
    }
}
