using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>The classic UI deadlock: a click handler on a one-thread <see cref="SynchronizationContext"/> blocks in
/// <c>.Result</c> on an async method whose continuation was posted back to that same context.</summary>
/// <remarks>Review 63 (one program, one dump: each scenario costs the suite one): beside it, two contexts whose pump thread
/// died (a callback threw out of its loop), each installed by a worker that then blocks in <c>.Result</c> on an async method
/// whose continuation is posted to it. Before, both read "only this thread can run it", the classic cause, which was wrong:
/// no thread runs their queue. 'report-worker''s context keeps its pump in a field (the thread ended: certain);
/// 'refresh-worker''s keeps none, and no stack runs its code (possible: a pump the dump cannot tell from other code may
/// run it).</remarks>
public sealed class UiThreadResult : Scenario
{
    private static int _blocked;

    public override string Name => "ui-thread-result";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["ui"], ["report-worker"], ["refresh-worker"]], WaitKinds = ["Task"] };

    public override void Start()
    {
        var context = new SingleThreadContext();
        context.Post(_ => OnClick(), null);
        var ui = Run("ui", context.RunLoop);
        WaitUntil(() => Volatile.Read(ref _blocked) == 1);
        WaitUntilBlocked(ui);

        var owned = new OwnPumpContext();
        owned.Post(_ => throw new InvalidOperationException("render failed"), null);
        owned.Pump.Join();
        var report = Run("report-worker", () =>
        {
            SynchronizationContext.SetSynchronizationContext(owned);
            _ = LoadAsync().Result;
        });

        var queue = new BlockingCollection<(SendOrPostCallback, object?)>();
        var pump = Run("refresh-pump", () =>
        {
            try
            {
                foreach (var (callback, state) in queue.GetConsumingEnumerable())
                {
                    callback(state);
                }
            }
            catch (InvalidOperationException)
            {
                // The pump ends here: what is posted after it is never run.
            }
        });
        var bare = new QueueContext(queue);
        bare.Post(_ => throw new InvalidOperationException("refresh failed"), null);
        pump.Join();
        var refresh = Run("refresh-worker", () =>
        {
            SynchronizationContext.SetSynchronizationContext(bare);
            _ = LoadAsync().Result;
        });
        WaitUntil(() => owned.Queued == 1 && queue.Count == 1);
        WaitUntilBlocked(ui, report, refresh);
    }

    private static void OnClick()
    {
        Volatile.Write(ref _blocked, 1);
        _ = LoadAsync().Result;
    }

    private static async Task<int> LoadAsync()
    {
        await Task.Delay(50);
        return 42;
    }

    /// <summary>A context that starts and keeps its own pump thread, whose loop ends on a callback's exception.</summary>
    private sealed class OwnPumpContext : SynchronizationContext
    {
        private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = [];

        public OwnPumpContext()
        {
            Pump = new Thread(() =>
            {
                try
                {
                    foreach (var (callback, state) in _queue.GetConsumingEnumerable())
                    {
                        callback(state);
                    }
                }
                catch (InvalidOperationException)
                {
                    // The pump ends here: what is posted after it is never run.
                }
            }) { IsBackground = true, Name = "report-pump" };
            Pump.Start();
        }

        public Thread Pump { get; }

        public int Queued => _queue.Count;

        public override void Post(SendOrPostCallback d, object? state) => _queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();
    }

    /// <summary>A context that posts to a queue some other thread pumps.</summary>
    private sealed class QueueContext(BlockingCollection<(SendOrPostCallback, object?)> queue) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => queue.Add((d, state));

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();
    }
}
