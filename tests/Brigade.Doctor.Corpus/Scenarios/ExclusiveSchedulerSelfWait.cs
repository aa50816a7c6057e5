using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 54: a job on a <see cref="ConcurrentExclusiveSchedulerPair"/>'s exclusive scheduler blocks
/// (<c>GetAwaiter().GetResult()</c>) on an async method whose <c>await Task.Delay</c> resumes on that same scheduler (an
/// await resumes on the scheduler it started on). The delay has ended; the continuation is queued on the exclusive
/// scheduler, which runs one task at a time: the one it runs waits for it. A cycle of one pool thread.</summary>
/// <remarks>The same program also has a second, independent shape (one scenario instead of two: each costs the suite a
/// dump): a thread writing synchronously to a full bounded channel held in a static field, through a local it keeps, while
/// the consumer, alive, reads through the static each time round and is suspended elsewhere (a <c>SemaphoreSlim</c>) with
/// nothing of the channel in its state. Listed, never reported.</remarks>
public sealed class ExclusiveSchedulerSelfWait : Scenario
{
    private static readonly Channel<int> Orders = Channel.CreateBounded<int>(2);
    private static readonly SemaphoreSlim Go = new(0);
    private static Thread? _worker;
    private static Task? _delay;
    private static int s_written;
    private static int s_consumerWaiting;

    public override string Name => "exclusive-scheduler-self-wait";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [[".NET TP Worker"]],
        WaitKinds = ["Task"],
        TextContains = "whose continuation is queued on the ExclusiveScheduler of a ConcurrentExclusiveSchedulerPair",
    };

    public override void Start()
    {
        var pair = new ConcurrentExclusiveSchedulerPair();
        _ = Task.Factory.StartNew(
            () =>
            {
                Volatile.Write(ref _worker, Thread.CurrentThread);
                _ = BumpAsync().GetAwaiter().GetResult();
            },
            CancellationToken.None, TaskCreationOptions.None, pair.ExclusiveScheduler);

        _ = Task.Run(ConsumeAsync);
        var producer = Run("order-producer", () =>
        {
            var channel = Orders;
            for (var i = 0; ; i++)
            {
                Volatile.Write(ref s_written, i);
                channel.Writer.WriteAsync(i).AsTask().Wait();
            }
        });

        WaitUntil(() => Volatile.Read(ref _delay)?.IsCompleted == true && Volatile.Read(ref _worker) is not null
            && Volatile.Read(ref s_written) >= 2 && Volatile.Read(ref s_consumerWaiting) == 1);
        WaitUntilBlocked(_worker!, producer);
    }

    private static async Task<int> BumpAsync()
    {
        var delay = Task.Delay(50);
        Volatile.Write(ref _delay, delay);
        await delay;
        return 42;
    }

    private static async Task ConsumeAsync()
    {
        while (true)
        {
            Volatile.Write(ref s_consumerWaiting, 1);
            await Go.WaitAsync();
            if (Orders.Reader.TryRead(out var order))
            {
                Console.Error.WriteLine(order);
            }
        }
    }
}
