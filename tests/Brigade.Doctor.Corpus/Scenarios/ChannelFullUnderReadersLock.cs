using System.Threading.Channels;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Doctor67: a bounded channel is full; its writer holds a lock and blocks in <c>WriteAsync(...).AsTask().Wait()</c>; the
/// only reader takes that lock before it reads (through the static field: no frame holds the channel). The cycle was found
/// (review 64b), but the writer's line said "no async flow or thread refers to its reader ...: its reader has ended, and
/// nothing will make room" beside "whose items would be read ... by thread 'journal-reader'".
/// </summary>
public sealed class ChannelFullUnderReadersLock : Scenario
{
    private static readonly object Journal = new();
    private static readonly Channel<int> Entries = Channel.CreateBounded<int>(1);

    public override string Name => "channel-full-under-readers-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["journal-writer", "journal-reader"]],
        WaitKinds = ["Monitor", "Task"],
        TextContains = "1 of 1 items buffered; no async flow refers to its reader, and no thread holds it, but a thread blocked on a lock this thread holds reads from the channel after that lock at",
    };

    public override void Start()
    {
        Entries.Writer.TryWrite(0);
        var holds = new ManualResetEventSlim();
        var writer = Run("journal-writer", () =>
        {
            lock (Journal)
            {
                holds.Set();
                Entries.Writer.WriteAsync(1).AsTask().Wait();
            }
        });
        holds.Wait();
        var reader = Run("journal-reader", () =>
        {
            lock (Journal)
            {
                Entries.Reader.TryRead(out _);
            }
        });
        WaitUntilBlocked(writer, reader);
    }
}
