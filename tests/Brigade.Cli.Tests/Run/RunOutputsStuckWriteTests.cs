using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// A delivery stuck writing to stdout (a pipe nobody reads) holds the outputs' lock: the watermark timer must not wait
/// for it (it fires every 100 ms whether or not its last callback returned, and each waiting callback held a pool
/// thread), and Ctrl+C must see that the write is stuck (review 19, S1-c).
/// </summary>
public sealed class RunOutputsStuckWriteTests
{
    [Fact(Timeout = 60_000)]
    public async Task MarkOnTimer_WhileADeliveryIsStuckWriting_ReturnsWithoutWaiting_AndTheWriteIsSeenStuck()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        var options = new RunJobOptions { Input = dir.File("in.txt"), Work = new NoWork(), Engine = Engine.Sequential, Quiet = true };
        var paths = RunPaths.Resolve(options.Input, "-", null, dir.File("j"), null, null, "none");
        using var stdout = new StuckWriter();
        var outputs = new RunOutputs(options, paths, new RunCounters(), stdout, TextWriter.Null);
        outputs.Open(new JournalRecord { Kind = "h", Version = 2, Input = options.Input, Work = "none", Ordered = true, Format = "lines" }, null, 0, null, new InputFingerprint());
        var delivery = Task.Factory.StartNew(() => outputs.Deliver(new InputItem(0, 1, "a"), Encoding.UTF8.GetBytes("a\n"), null), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            Assert.True(stdout.Entered.Wait(TimeSpan.FromSeconds(30)), "the delivery did not reach its write");

            var mark = Task.Factory.StartNew(outputs.MarkOnTimer, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Assert.True(ReferenceEquals(mark, await Task.WhenAny(mark, Task.Delay(TimeSpan.FromSeconds(15)))), "the watermark timer's callback waited for the stuck write");
            Assert.True(await mark);

            // Held for good: a stuck write, which an interrupt does not wait for.
            var stuckSince = DateTime.UtcNow;
            while (!outputs.IsStuck(TimeSpan.FromMilliseconds(50)))
            {
                Assert.True(DateTime.UtcNow - stuckSince < TimeSpan.FromSeconds(30), "the write is not seen stuck");
                await Task.Delay(10);
            }
        }
        finally
        {
            stdout.Release.Set();
            await delivery.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.False(outputs.IsStuck(TimeSpan.Zero));
        outputs.Close(runFailed: false, resumed: false);
    }

    // stdout whose first write blocks until the test lets it go (a pipe nobody reads).
    private sealed class StuckWriter : TextWriter
    {
        public ManualResetEventSlim Entered { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value) => Write([value], 0, 1);

        public override void Write(char[] buffer, int index, int count)
        {
            Entered.Set();
            Release.Wait();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Entered.Dispose();
                Release.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class NoWork : JobWork
    {
        public override string Description => "none";

        public override object Prepare(InputItem item) => item.Text;

        public override JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<PreparedItem, byte[]?, string?> onCompleted) =>
            throw new NotSupportedException();
    }
}
