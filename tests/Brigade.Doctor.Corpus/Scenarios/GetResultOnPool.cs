namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A queued work item blocks on <c>GetAwaiter().GetResult()</c> of an async method awaiting a long delay.</summary>
public sealed class GetResultOnPool : Scenario
{
    public override string Name => "getresult-on-pool";

    public override Expectation Expected => new(Finding.SyncOverAsync) { SyncOverAsyncPoolThreads = 1, TaskChainContains = "Task.Delay" };

    public override void Start()
    {
        var blocked = 0;
        ThreadPool.QueueUserWorkItem(_ =>
        {
            Volatile.Write(ref blocked, 1);
            PollAsync().GetAwaiter().GetResult();
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 1);
    }

    private static async Task PollAsync()
    {
        await Task.Delay(TimeSpan.FromHours(1)).ConfigureAwait(false);
    }
}
