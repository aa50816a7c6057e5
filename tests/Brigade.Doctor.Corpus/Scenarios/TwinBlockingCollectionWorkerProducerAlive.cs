using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 44): a worker on an empty <c>BlockingCollection</c> in a captured local, its producer alive
/// and asleep between items. No pitfall. Before: the collection was named by the framework's iterator
/// (<c>field ...BlockingCollection&lt;System.String&gt;.&lt;GetConsumingEnumerable&gt;d__68.&lt;&gt;4__this</c>), a name the
/// program does not have; now by its captured variable.</summary>
public sealed class TwinBlockingCollectionWorkerProducerAlive : Scenario
{
    public override string Name => "twin-blocking-collection-worker-producer-alive";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["worker"],
        WaitKinds = ["SemaphoreSlim"],
        TextContains = "waits in BlockingCollection.GetConsumingEnumerable on System.Collections.Concurrent.BlockingCollection<System.String> (captured variable 'jobs' in Brigade.Doctor.Corpus.Scenarios.TwinBlockingCollectionWorkerProducerAlive), empty",
    };

    public override void Start()
    {
        var jobs = new BlockingCollection<string>(boundedCapacity: 10);
        var worker = Run("worker", () =>
        {
            foreach (var job in jobs.GetConsumingEnumerable())
            {
                CpuLoop.Sink = job.Length;
            }
        });
        var poller = Run("poller", () =>
        {
            while (true)
            {
                jobs.Add("tick");
                Thread.Sleep(TimeSpan.FromMinutes(10));
            }
        });
        WaitUntil(() => jobs.Count == 0);
        WaitUntilBlocked(worker, poller);
    }
}
