namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 59: a connection pool whose <c>Rent</c> waits for a free slot (<c>SemaphoreSlim.Wait()</c>) inside its
/// <c>lock</c>, and whose <c>Return</c> takes that lock before it releases the slot: the renter waits for the returner, the
/// returner for the renter's lock. A semaphore records no owner; the returner's code releases it after the lock.
/// Review 64 (in this program, not one of its own: each program costs the suite a dump): beside it, a producer that adds to
/// a full <c>BlockingCollection</c> inside a lock its only consumer takes before each <c>Take</c>. Before, "No pitfall
/// found": the producer "no thread is taking from it", the consumer "held by" the producer. Now a possible cycle.
/// Review 64b: and the same with a full bounded <c>Channel</c> (<c>WriteAsync(...).AsTask().Wait()</c> under the lock, the
/// consumer reading through <c>_channel.Reader</c> after it). Before, "No pitfall found" and "its reader has ended" (false:
/// the consumer holds the channel, and reads it after the lock).
/// </summary>
public sealed class SemaphoreWaitUnderLockReleaserBehind : Scenario
{
    public override string Name => "semaphore-wait-under-lock-releaser-behind";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["renter", "returner"], ["outbox-producer", "outbox-consumer"], ["mailbox-producer", "mailbox-consumer"], ["inbox-consumer", "inbox-producer"]],
        WaitKinds = ["Monitor", "SemaphoreSlim", "Task"],
    };

    public override void Start()
    {
        var pool = new ConnectionPool();
        var first = pool.Rent();
        var renter = Run("renter", () => pool.Rent());
        WaitUntilBlocked(renter);
        var returner = Run("returner", () => pool.Return(first));
        WaitUntilBlocked(renter, returner);

        var outbox = new Outbox();
        var producer = Run("outbox-producer", () => outbox.Send(2));
        WaitUntil(() => outbox.Sending);
        var consumer = Run("outbox-consumer", outbox.Drain);
        WaitUntilBlocked(producer, consumer);

        var mailbox = new Mailbox();
        var writer = Run("mailbox-producer", mailbox.Send);
        WaitUntil(() => mailbox.Sending);
        var reader = Run("mailbox-consumer", mailbox.Drain);
        WaitUntilBlocked(writer, reader);

        var inbox = new Inbox();
        var taker = Run("inbox-consumer", () => inbox.Receive());
        WaitUntil(() => inbox.Receiving);
        var poster = Run("inbox-producer", () => inbox.Post(1));
        WaitUntilBlocked(taker, poster);
    }

    /// <summary>Review 66: the mirror of <see cref="Outbox"/>: a consumer that takes from an empty collection under the lock
    /// its producer takes before adding. Read "No pitfall found" with "if that thread is to add an item to it, they
    /// deadlock"; now a possible cycle.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "It lives as long as the hung program.")]
    private sealed class Inbox
    {
        private readonly object _gate = new();
        private readonly System.Collections.Concurrent.BlockingCollection<int> _queue = [];
        private volatile bool _receiving;

        public bool Receiving => _receiving;

        public int Receive()
        {
            lock (_gate)
            {
                _receiving = true;
                return _queue.Take();
            }
        }

        public void Post(int item)
        {
            lock (_gate)
            {
                _queue.Add(item);
            }
        }
    }

    private sealed class Mailbox
    {
        private readonly object _gate = new();
        private readonly System.Threading.Channels.Channel<int> _channel = System.Threading.Channels.Channel.CreateBounded<int>(1);
        private volatile bool _sending;

        public bool Sending => _sending;

        public void Send()
        {
            lock (_gate)
            {
                _sending = true;
                _channel.Writer.TryWrite(0);
                _channel.Writer.WriteAsync(1).AsTask().Wait();
            }
        }

        public void Drain()
        {
            while (true)
            {
                lock (_gate)
                {
                    // The batch's bookkeeping, under the producer's lock.
                }

                _channel.Reader.ReadAsync().AsTask().Wait();
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "It lives as long as the hung program.")]
    private sealed class Outbox
    {
        private readonly object _gate = new();
        private readonly System.Collections.Concurrent.BlockingCollection<int> _queue = new(boundedCapacity: 1);
        private volatile bool _sending;

        public bool Sending => _sending;

        public void Send(int count)
        {
            lock (_gate)
            {
                _sending = true;
                for (var i = 0; i < count; i++)
                {
                    _queue.Add(i);
                }
            }
        }

        public void Drain()
        {
            while (true)
            {
                lock (_gate)
                {
                    // The batch's bookkeeping, under the producer's lock.
                }

                _queue.Take();
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "It lives as long as the hung program, as an application's pool does.")]
    private sealed class ConnectionPool
    {
        private readonly object _gate = new();
        private readonly SemaphoreSlim _free = new(1, 1);
        private readonly Queue<int> _idle = new([1]);

        public int Rent()
        {
            lock (_gate)
            {
                _free.Wait();
                return _idle.Dequeue();
            }
        }

        public void Return(int connection)
        {
            lock (_gate)
            {
                _idle.Enqueue(connection);
                _free.Release();
            }
        }
    }
}
