namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Work items that block in <c>Thread.Sleep</c> take every pool thread while more work waits: starvation without tasks.</summary>
public sealed class PoolStarvationSleep : Scenario
{
    public override string Name => "pool-starvation-blocking";

    public override Expectation Expected => new(Finding.ThreadPoolStarvation);

    public override void Start()
    {
        ThreadPool.GetMaxThreads(out _, out var io);
        ThreadPool.SetMaxThreads(Environment.ProcessorCount, io);
        for (var i = 0; i < Environment.ProcessorCount * 3; i++)
        {
            ThreadPool.QueueUserWorkItem(_ => Thread.Sleep(TimeSpan.FromHours(1)));
        }

        WaitUntil(() => ThreadPool.PendingWorkItemCount > 0 && ThreadPool.ThreadCount >= Environment.ProcessorCount);
    }
}
