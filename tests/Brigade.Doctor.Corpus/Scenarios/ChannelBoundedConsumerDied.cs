using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 48: a bounded channel whose only consumer died (its task faulted on a bad item, and nobody observed
/// it): the producer's <c>await WriteAsync</c> waits for room for ever, and a main-like thread waits on the producer.
/// Listed, never a pitfall (any code may still read). Before: the wait named the operation's type
/// (<c>BlockedWriteAsyncOperation&lt;System.Int32&gt;</c>), not the channel; now the channel, how full it is, and what a
/// consumer that stops must do.</summary>
public sealed class ChannelBoundedConsumerDied : Scenario
{
    private static readonly Channel<int> Work = Channel.CreateBounded<int>(2);
    private static int s_writing;

    // Review 53: the consumer's task kept (as a program that starts it and never awaits it would), so that its exception is
    // on the heap for the diagnosis to name whatever the collector did before the dump.
    private static Task? s_consumer;

    public override string Name => "channel-bounded-consumer-died";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["main-like"],
        WaitKinds = ["Task"],
        TextContains = "writing to System.Threading.Channels.BoundedChannel<System.Int32> (static field Brigade.Doctor.Corpus.Scenarios.ChannelBoundedConsumerDied.Work)",
    };

    public override void Start()
    {
        var consumer = s_consumer = ConsumeAsync();
        var main = Run("main-like", () => ProduceAsync().GetAwaiter().GetResult());
        WaitUntil(() => consumer.IsFaulted && Volatile.Read(ref s_writing) > 3);
        WaitUntilBlocked(main);
    }

    private static async Task ProduceAsync()
    {
        for (var i = 0; i < 10; i++)
        {
            Volatile.Write(ref s_writing, i);
            await Work.Writer.WriteAsync(i);
        }
    }

    private static async Task ConsumeAsync()
    {
        await foreach (var item in Work.Reader.ReadAllAsync())
        {
            if (item == 1)
            {
                throw new InvalidDataException($"bad item {item}");
            }
        }
    }
}
