using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: consumers wait on an empty <c>BlockingCollection</c> between bursts of work.</summary>
public sealed class ProducerConsumer : Scenario
{
    private static readonly BlockingCollection<int> Queue = [];

    public override string Name => "twin-producer-consumer";

    public override Expectation Expected => new(Finding.None) { Blocked = ["consumer-0", "consumer-1"], WaitKinds = ["SemaphoreSlim"] };

    public override void Start()
    {
        var consumers = Enumerable.Range(0, 2).Select(i => Run($"consumer-{i}", () =>
        {
            foreach (var item in Queue.GetConsumingEnumerable())
            {
                CpuLoop.Sink = item;
            }
        })).ToArray();
        for (var i = 0; i < 100; i++)
        {
            Queue.Add(i);
        }

        WaitUntil(() => Queue.Count == 0);
        WaitUntilBlocked(consumers);
    }
}
