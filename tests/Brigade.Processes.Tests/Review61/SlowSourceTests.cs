using System.Threading.Channels;

namespace Brigade.Processes.Tests.Review61;

/// <summary>
/// A source slow to produce (a queue, one item per 100 ms) held each result through worker processes until the source's
/// next item came (lib61: 100-200 ms late on every item, where the in-process engines delivered it in milliseconds): a
/// worker's loop, keeping its pipeline full, blocked on the input for the next batch before it read the results of the
/// batch in flight. A feedback loop (the next item written once the last result is read) then never finished. With a
/// batch in flight, the loop now takes more only when the input has items ready.
/// </summary>
public sealed class SlowSourceTests
{
    [Fact(Timeout = 120_000)]
    public async Task Stream_NextItemWrittenOnlyAfterTheLastResult_Completes()
    {
        const int Items = 40;
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(0);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var got = new List<long>();

        var read = Task.Run(async () =>
        {
            await foreach (var result in Runner.StreamAsync(channel.Reader.ReadAllAsync(), new Square(), TestEngines.Run(engine)).WithCancellation(stop.Token))
            {
                got.Add(result.Value);
                if (got.Count == Items)
                {
                    channel.Writer.Complete();
                }
                else
                {
                    channel.Writer.TryWrite(got.Count);
                }
            }
        });

        var finished = await Task.WhenAny(read, Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default));
        stop.Cancel();
        Assert.True(finished == read, $"the feedback loop stopped after {got.Count} of {Items} results: a result was held until the next item came");
        await read;
        Assert.Equal(Enumerable.Range(0, Items).Select(i => (long)i * i), got);
    }
}
