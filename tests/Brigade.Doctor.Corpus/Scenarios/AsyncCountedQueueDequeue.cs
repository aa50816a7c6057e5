using System.Collections.Concurrent;
using System.IO.Pipes;

#pragma warning disable CA1001 // a corpus program: its objects live until the process ends

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program: the pre-Channel async queue (a <c>ConcurrentQueue</c> plus a <c>SemaphoreSlim(0)</c> counting its
/// items). A reply is a header then a body: the flow has dequeued the header (<c>await DequeueAsync()</c>, which awaits
/// <c>WaitAsync</c> and returns an item; nobody releases that slot, it was the item) and awaits the body, which a reader
/// thread will enqueue when it arrives. Not a self-deadlock, not hung.
/// </summary>
public sealed class AsyncCountedQueueDequeue : Scenario
{
    private static readonly MessageQueue Inbox = new();
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_waiting;
    private static int s_reading;

    public override string Name => "twin-async-counted-queue-dequeue";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Run("network-like", () =>
        {
            var buffer = new byte[1];
            Interlocked.Increment(ref s_reading);
            while (Client.Read(buffer, 0, 1) > 0)
            {
                Inbox.Enqueue("BODY");
            }
        });
        Inbox.Enqueue("HEADER");
        var main = Run("main-like", () => ReadReplyAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 1);
        WaitUntilBlocked(main);
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        Thread.Sleep(200);
    }

    private static async Task<string> ReadReplyAsync()
    {
        var header = await Inbox.DequeueAsync();
        Interlocked.Increment(ref s_waiting);
        var body = await Inbox.DequeueAsync();
        return header + body;
    }

    private sealed class MessageQueue
    {
        private readonly ConcurrentQueue<string> _items = new();
        private readonly SemaphoreSlim _count = new(0);

        public void Enqueue(string item)
        {
            _items.Enqueue(item);
            _count.Release();
        }

        public async Task<string> DequeueAsync()
        {
            await _count.WaitAsync();
            _items.TryDequeue(out var item);
            return item!;
        }
    }
}
