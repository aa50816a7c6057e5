using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 53: the twin of <see cref="ChannelBoundedConsumerDied"/> whose consumer is alive: it awaits a downstream
/// call (a <c>TaskCompletionSource</c> nothing completes) between two reads, so the bounded channel stays full and the
/// producer's <c>WriteAsync</c> waits. Both read "if its reader has ended"; this one must say the reader is alive and who.</summary>
public sealed class ChannelBoundedConsumerSlow : Scenario
{
    private static readonly Channel<int> Work = Channel.CreateBounded<int>(2);
    private static readonly TaskCompletionSource Downstream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static int s_writing;
    private static Task? s_consumer;

    public override string Name => "channel-bounded-consumer-slow";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["main-like"],
        WaitKinds = ["Task"],
        TextContains = "its reader is alive but has not taken the next item: async method Brigade.Doctor.Corpus.Scenarios.ChannelBoundedConsumerSlow.ConsumeAsync refers to its reader",
    };

    public override void Start()
    {
        s_consumer = ConsumeAsync();
        var main = Run("main-like", () => ProduceAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_writing) >= 3); // item 0 taken, 1 and 2 buffered, 3 waits for room
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
            await Downstream.Task;
        }
    }
}
