using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 46: a dispatcher thread blocks (<c>GetAwaiter().GetResult()</c>) on an async method that <c>await
/// foreach</c>es a channel's <c>ReadAllAsync()</c>; nothing writes to the channel nor completes it. A hang the dump cannot
/// prove (any code may write); listed. Before: the chain stopped at <c>await #0: &lt;&gt;7__wrap1.MoveNextAsync()</c>,
/// the channel unnamed; the iterator and its channel (a static field) are now named. Review 61 added a second channel, of
/// prices, whose writer (an async method) threw before its <c>Complete()</c> while a ledger thread reads it: its wait names
/// that writer and its exception (before: "waiting for an item", nothing of why).</summary>
public sealed class ChannelReadAllNoWriter : Scenario
{
    private static readonly Channel<string> Orders = Channel.CreateUnbounded<string>();
    private static readonly Channel<decimal> Prices = Channel.CreateUnbounded<decimal>();
    private static Task? _feed;

    public override string Name => "channel-read-all-no-writer";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["dispatcher"],
        WaitKinds = ["Task"],
        TextContains = "async iterator System.Threading.Channels.ChannelReader<System.String>.ReadAllAsync",
    };

    public override void Start()
    {
        var dispatcher = Run("dispatcher", () => DispatchAsync().GetAwaiter().GetResult());
        _feed = Task.Run(FeedPricesAsync);
        var ledger = Run("ledger", () => CpuLoop.Sink = (int)SumPricesAsync().Result);
        WaitUntil(() => _feed.IsFaulted && Prices.Reader.Count == 0);
        WaitUntilBlocked(dispatcher, ledger);
    }

    private static async Task FeedPricesAsync()
    {
        for (var i = 1; i <= 3; i++)
        {
            await Prices.Writer.WriteAsync(i * 1.5m);
            if (i == 2)
            {
                throw new InvalidDataException("price 3 is negative");
            }
        }

        Prices.Writer.Complete();
    }

    private static async Task<decimal> SumPricesAsync()
    {
        var sum = 0m;
        await foreach (var price in Prices.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            sum += price;
        }

        return sum;
    }

    private static async Task DispatchAsync()
    {
        await foreach (var order in Orders.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Console.Error.WriteLine(order);
        }
    }
}
