using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review58;

/// <summary>Review 58: a thread that completes a <c>TaskCompletionSource</c> under a lock runs the awaiting method's
/// continuation inline (a source created without <c>RunContinuationsAsynchronously</c>); the continuation blocks on work
/// that needs that lock. The cycle was found (<c>BRG1001</c>, /tmp/doctor58-progs mode InlineContinuation), but nothing said
/// why the waiting async method held the lock: the <c>SetResult</c> and the lock were below "... 7 more frames".</summary>
public sealed class InlineContinuationTests
{
    [Fact]
    public void AThreadWaitingInAContinuationResumedBySetResult_SaysSo()
    {
        var closer = Closer(
            Frame("System.Threading.Tasks.Task.Wait"),
            Frame("Orders.InlineContinuation+<AfterCloseAsync>d__3.MoveNext", "Program.cs", 415),
            Frame("System.Runtime.CompilerServices.AsyncTaskMethodBuilder<System.Threading.Tasks.VoidTaskResult>+AsyncStateMachineBox<Orders.InlineContinuation+<AfterCloseAsync>d__3>.MoveNext"),
            Frame("System.Threading.Tasks.Task.RunContinuations"),
            Frame("System.Threading.Tasks.TaskCompletionSource<System.Int32>.TrySetResult"),
            Frame("System.Threading.Tasks.TaskCompletionSource<System.Int32>.SetResult"),
            Frame("Orders.InlineContinuation+<>c.<Start>b__2_0", "Program.cs", 403));
        var pool = Review52.Texts.Thread(5, "", WaitKind.Monitor, "Monitor.Enter", "System.Object", "static field Orders.InlineContinuation.Books", [4]);
        var cycle = new DeadlockCycle([new DeadlockLink(closer, pool), new DeadlockLink(pool, closer)], []);

        var message = Assert.Single(ReportBuilder.Build(DateTimeOffset.UnixEpoch, [cycle], null, [], [closer, pool], [])).Message;

        // Failed before: the cycle, its advice ("await it instead") and stacks, with nothing on SetResult.
        Assert.Contains("thread 'closer' (#4) runs an await's continuation inline (Orders.InlineContinuation+<AfterCloseAsync>d__3.MoveNext (Program.cs:415)): it resumed inside TaskCompletionSource.SetResult, called at Orders.InlineContinuation+<>c.<Start>b__2_0 (Program.cs:403)", message, StringComparison.Ordinal);
        Assert.Contains("TaskCreationOptions.RunContinuationsAsynchronously", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AContinuationRunByThePool_SaysNothingOfSetResult()
    {
        var thread = Closer(
            Frame("System.Threading.Tasks.Task.Wait"),
            Frame("Orders.Shop+<RunAsync>d__3.MoveNext", "Program.cs", 20),
            Frame("System.Runtime.CompilerServices.AsyncTaskMethodBuilder<System.Threading.Tasks.VoidTaskResult>+AsyncStateMachineBox<Orders.Shop+<RunAsync>d__3>.MoveNext"),
            Frame("System.Threading.ThreadPoolWorkQueue.Dispatch"));

        Assert.Null(ReportBuilder.InlineContinuation(thread));
    }

    private static DiagnosedFrame Frame(string method, string? file = null, int? line = null) => new(method, file, line, isFramework: file is null);

    private static DiagnosedThread Closer(params DiagnosedFrame[] frames) =>
        new(4, 4004, "closer", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.Task, "Task.Wait()", null, [5], task: null, detail: null, frames[1], null), frames);
}
