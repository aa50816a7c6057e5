namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// A main-like thread waits on an async flow that awaits a <c>TaskCompletionSource</c>'s task nobody completes. Listed
/// with its async stack, never a pitfall: any code (an event handler, a callback, Ctrl+C) may still complete it.
/// </summary>
public sealed class AsyncTcsNeverCompleted : Scenario
{
    private static readonly TaskCompletionSource<string> Reply = new();

    public override string Name => "async-tcs-never-completed";

    public override Expectation Expected => new(Finding.None)
    {
        TextContains = "TaskCompletionSource<System.String> (static field Brigade.Doctor.Corpus.Scenarios.AsyncTcsNeverCompleted.Reply)",
    };

    public override void Start() => WaitUntilBlocked(Run("main-like", () => Console.Out.Write(AwaitReplyAsync().GetAwaiter().GetResult())));

    private static async Task<string> AwaitReplyAsync()
    {
        var reply = await Reply.Task;
        return reply.Trim();
    }
}
