using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 46: a dispatcher thread blocks (<c>GetAwaiter().GetResult()</c>) on an async method that <c>await
/// foreach</c>es a channel's <c>ReadAllAsync()</c>; nothing writes to the channel nor completes it. A hang the dump cannot
/// prove (any code may write); listed. Before: the chain stopped at <c>await #0: &lt;&gt;7__wrap1.MoveNextAsync()</c>,
/// the channel unnamed; the iterator and its channel (a static field) are now named.</summary>
public sealed class ChannelReadAllNoWriter : Scenario
{
    private static readonly Channel<string> Orders = Channel.CreateUnbounded<string>();

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
        WaitUntilBlocked(dispatcher);
    }

    private static async Task DispatchAsync()
    {
        await foreach (var order in Orders.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Console.Error.WriteLine(order);
        }
    }
}
