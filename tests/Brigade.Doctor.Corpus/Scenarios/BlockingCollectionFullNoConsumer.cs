using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A producer blocked in <c>BlockingCollection.Add</c> on a full bounded collection whose only consumer died (an
/// exception ended its loop). Before: listed as <c>SemaphoreSlim.Wait on System.Threading.SemaphoreSlim, count 0</c>,
/// which is what <c>Add</c> does inside, not what the program called. No pitfall (any code may still take an item), but the
/// wait says what it is: the collection is full at its bounded capacity, and no thread is taking from it.</summary>
public sealed class BlockingCollectionFullNoConsumer : Scenario
{
    private static readonly BlockingCollection<string> Outbox = new(boundedCapacity: 2);

    public override string Name => "blocking-collection-full-no-consumer";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["producer"],
        WaitKinds = ["SemaphoreSlim"],
        TextContains = "waits in BlockingCollection.Add on System.Collections.Concurrent.BlockingCollection<System.String> (static field Brigade.Doctor.Corpus.Scenarios.BlockingCollectionFullNoConsumer.Outbox), full: 2 items, its bounded capacity",
    };

    public override void Start()
    {
        var consumer = Run("consumer", () =>
        {
            try
            {
                foreach (var message in Outbox.GetConsumingEnumerable())
                {
                    throw new InvalidOperationException($"cannot send {message}");
                }
            }
            catch (InvalidOperationException)
            {
                // The consumer's loop ends with the exception: nothing takes from the outbox any more.
            }
        });
        Outbox.Add("first");
        consumer.Join();
        var producer = Run("producer", () =>
        {
            for (var i = 0; ; i++)
            {
                Outbox.Add($"message {i}");
            }
        });
        WaitUntil(() => Outbox.Count == 2);
        WaitUntilBlocked(producer);
    }
}
