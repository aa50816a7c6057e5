namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Two pool threads call <c>Task.Wait()</c> on async work that never finishes.</summary>
public sealed class WaitOnPool : Scenario
{
    private static readonly SemaphoreSlim Never = new(0);

    public override string Name => "wait-on-pool";

    public override Expectation Expected => new(Finding.SyncOverAsync) { SyncOverAsyncPoolThreads = 2, TaskChainContains = "async method" };

    public override void Start()
    {
        var blocked = 0;
        for (var i = 0; i < 2; i++)
        {
            _ = Task.Run(() =>
            {
                Interlocked.Increment(ref blocked);
                AcquireAsync().Wait();
            });
        }

        WaitUntil(() => Volatile.Read(ref blocked) == 2);
    }

    private static async Task AcquireAsync() => await Never.WaitAsync().ConfigureAwait(false);
}
