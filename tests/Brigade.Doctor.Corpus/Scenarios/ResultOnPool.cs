namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A pool thread blocks on <c>.Result</c> of an async method that awaits a promise nobody completes.</summary>
public sealed class ResultOnPool : Scenario
{
    private static readonly TaskCompletionSource<int> Reply = new();

    public override string Name => "result-on-pool";

    public override Expectation Expected => new(Finding.SyncOverAsync) { SyncOverAsyncPoolThreads = 1, TaskChainContains = "TaskCompletionSource" };

    public override void Start()
    {
        var blocked = 0;
        _ = Task.Run(() =>
        {
            Volatile.Write(ref blocked, 1);
            return ReadReplyAsync().Result;
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 1);
    }

    private static async Task<int> ReadReplyAsync()
    {
        var reply = await Reply.Task.ConfigureAwait(false);
        return reply + 1;
    }
}
