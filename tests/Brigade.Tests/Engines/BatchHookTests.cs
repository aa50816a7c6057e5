using System.Collections.Concurrent;
using Brigade.Engines;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Engines;

/// <summary>The batch hooks (race detector, watchdog, auto mode's measuring): where, how often and on what state they run.</summary>
public sealed class BatchHookTests
{
    [Fact]
    public async Task Batch_RunHooksOutside_MeasureHookInside_ExitedInReverse()
    {
        var log = new ConcurrentQueue<string>();
        var engine = new HookedEngine(
            [new RecordingHook("a", log), new RecordingHook("b", log)],
            measure: new RecordingHook("measure", log),
            workers: 1);

        await Runner.ForEachAsync([1, 2], x => log.Enqueue($"item {x}"), new RunOptions { Engine = engine, BatchSize = 2 }).Bounded();

        Assert.Equal(
            ["a enter", "b enter", "measure enter", "item 1", "item 2", "measure exit ran=2", "b exit ran=2", "a exit ran=2"],
            log);
    }

    [Fact]
    public async Task EveryBatch_EnteredAndExitedOnce_WithItsOwnState()
    {
        var log = new ConcurrentQueue<string>();
        var hook = new RecordingHook("h", log);
        var engine = new HookedEngine([hook], measure: null, workers: 1);

        var result = await Runner.MapAsync(Enumerable.Range(0, 10), x => x, new RunOptions { Engine = engine, BatchSize = 3 }).Bounded();

        Assert.Equal(10, result.Values.Count);
        Assert.Equal(4, hook.Enters);
        Assert.Equal(["h exit ran=3", "h exit ran=3", "h exit ran=3", "h exit ran=1"], log.Where(e => e.Contains("exit", StringComparison.Ordinal)));
        Assert.Empty(hook.Mismatches);
    }

    [Fact]
    public async Task Slots_ArePerWorker_CreatedAtTheWorkersFirstBatch()
    {
        var hook = new RecordingHook("h", new ConcurrentQueue<string>());
        var engine = new HookedEngine([hook], measure: null, workers: 3);

        await Runner.ForEachAsync(Enumerable.Range(0, 30), _ => { }, new RunOptions { Engine = engine, BatchSize = 2 }).Bounded();

        // Each worker's slot is created once and then handed back on every batch of that worker, never another's.
        Assert.Equal(3, hook.SlotsCreated);
        Assert.Equal(15, hook.Enters);
        Assert.Empty(hook.Mismatches);
    }

    [Fact]
    public async Task AsyncBatch_ExitsOnAnotherThread_WithTheStateItEnteredWith()
    {
        var hook = new RecordingHook("h", new ConcurrentQueue<string>());
        var engine = new HookedEngine([hook], measure: null, workers: 1);
        var resumedOn = new ResumeOnNewThread(engine.BatchPending.Task);

        var result = await Runner.MapAsync([1], async (int x, CancellationToken _) =>
        {
            await resumedOn;
            return x + 6;
        }, new RunOptions { Engine = engine }).Bounded();

        Assert.Equal([7], result.Values);
        Assert.Equal(resumedOn.ThreadId, hook.LastExitThread);
        Assert.NotEqual(hook.LastEnterThread, hook.LastExitThread);
        Assert.Empty(hook.Mismatches);
    }

    // Never completes synchronously, and resumes its awaiter on a thread of its own once the engine holds the batch's
    // pending task (so the batch's own continuation is registered by then): the batch ends on that thread.
    private sealed class ResumeOnNewThread(Task enginePending) : System.Runtime.CompilerServices.INotifyCompletion
    {
        public int ThreadId { get; private set; }

        public bool IsCompleted => false;

        public ResumeOnNewThread GetAwaiter() => this;

        public void OnCompleted(Action continuation)
        {
            var thread = new Thread(() =>
            {
                enginePending.Wait(TestTimeouts.Generous);
                continuation();
            }) { IsBackground = true };
            ThreadId = thread.ManagedThreadId;
            thread.Start();
        }

        public void GetResult()
        {
        }
    }

    // Runs each worker's batches one after the other, with the given hooks; workers take batches in turn.
    private sealed class HookedEngine(IBatchHook[] hooks, IBatchHook? measure, int workers) : Engine
    {
        public TaskCompletionSource BatchPending { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override string Name => "hooked";

        public override int GetDefaultDegreeOfParallelism() => workers;

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            job.UseHooks(BatchHooks.Create(hooks));
            var all = Enumerable.Range(0, workers).Select(i => job.CreateWorker(TimeSpan.FromMilliseconds(1), $"w{i}")).ToArray();
            foreach (var worker in all)
            {
                worker.MeasureHook = measure;
            }

            for (var turn = 0; ; turn++)
            {
                var worker = all[turn % workers];
                var batch = job.TakeBatch(worker);
                if (batch.IsEmpty)
                {
                    return;
                }

                var pending = job.ExecuteBatchAsync(worker, batch);
                if (!pending.IsCompleted)
                {
                    BatchPending.TrySetResult();
                }

                await pending;
            }
        }
    }

    private sealed class RecordingHook(string name, ConcurrentQueue<string> log) : IBatchHook
    {
        public int Enters;
        public int SlotsCreated;
        public int LastEnterThread;
        public int LastExitThread;
        public ConcurrentQueue<string> Mismatches { get; } = new();

        public object? Enter(EngineWorker worker, ref object? slot)
        {
            if (slot is null)
            {
                slot = worker;
                SlotsCreated++;
            }
            else if (!ReferenceEquals(slot, worker))
            {
                Mismatches.Enqueue($"{worker.Name} entered with another worker's slot");
            }

            Enters++;
            LastEnterThread = Environment.CurrentManagedThreadId;
            log.Enqueue($"{name} enter");
            return Enters;
        }

        public void Exit(EngineWorker worker, object? slot, object? entered, int ran)
        {
            if (!ReferenceEquals(slot, worker))
            {
                Mismatches.Enqueue($"{worker.Name} exited with another worker's slot");
            }

            if (entered is not int e || e != Enters)
            {
                Mismatches.Enqueue($"{worker.Name} exited with state {entered}, not {Enters}");
            }

            LastExitThread = Environment.CurrentManagedThreadId;
            log.Enqueue($"{name} exit ran={ran}");
        }
    }
}
