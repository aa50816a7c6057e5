using System.Collections.Concurrent;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37: a "serial executor" (a <see cref="TaskScheduler"/> with one dedicated thread, as actor libraries
/// have); a job on it waits with <c>.Result</c> for a sub-job queued to the same scheduler. It waits for itself, but how
/// many threads a scheduler of the program's own runs is not in the dump: listed (the task named by its scheduler,
/// "queued there, not started"), never reported.</summary>
/// <remarks>Review 62: the same program has the async form (one scenario instead of two: each costs the suite a dump): a job
/// on a second such scheduler, thread 'actor-loop', blocks with <c>.Result</c> on an async method whose <c>await
/// Task.Delay</c> resumes on that scheduler (an await resumes on the scheduler it started on). The delay has ended; the
/// continuation is a task in the scheduler's queue, which only the blocked thread runs, and the scheduler keeps that one
/// thread in a field: a deadlock of one thread. Before, "No pitfall found", and its line said "no thread runs its code
/// now".</remarks>
/// <remarks>Review 63: the synchronous form too is a deadlock of one thread now: the scheduler keeps its one thread in a field
/// (read as for the async form), and that thread waits for a task queued to it, which only it would start.</remarks>
public sealed class SerialSchedulerSelfWait : Scenario
{
    public override string Name => "serial-scheduler-self-wait";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["actor-loop"], ["serial-executor"]],
        WaitKinds = ["Task"],
        TextContains = "waits in .Result for a task on Brigade.Doctor.Corpus.Scenarios.SerialSchedulerSelfWait.SerialScheduler (",
    };

    public override void Start()
    {
        var scheduler = new SerialScheduler();
        _ = Task.Factory.StartNew(
            () => Task.Factory.StartNew(() => 42, CancellationToken.None, TaskCreationOptions.None, scheduler).Result + 1,
            CancellationToken.None, TaskCreationOptions.None, scheduler);
        WaitUntil(() => scheduler.Thread.ThreadState.HasFlag(ThreadState.WaitSleepJoin) && scheduler.Queued == 1);
        WaitUntilBlocked(scheduler.Thread);

        var actor = new SerialScheduler("actor-loop");
        _ = Task.Factory.StartNew(() => LoadBalanceAsync().Result, CancellationToken.None, TaskCreationOptions.None, actor);
        WaitUntil(() => actor.Thread.ThreadState.HasFlag(ThreadState.WaitSleepJoin) && actor.Queued == 1);
        WaitUntilBlocked(actor.Thread);
    }

    private static async Task<int> LoadBalanceAsync()
    {
        await Task.Delay(1);
        return 42;
    }

    private sealed class SerialScheduler : TaskScheduler
    {
        private readonly BlockingCollection<Task> _queue = [];

        public SerialScheduler(string name = "serial-executor")
        {
            Thread = new Thread(() =>
            {
                foreach (var task in _queue.GetConsumingEnumerable())
                {
                    TryExecuteTask(task);
                }
            }) { IsBackground = true, Name = name };
            Thread.Start();
        }

        public Thread Thread { get; }

        public int Queued => _queue.Count;

        public override int MaximumConcurrencyLevel => 1;

        protected override void QueueTask(Task task) => _queue.Add(task);

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

        protected override IEnumerable<Task> GetScheduledTasks() => [.. _queue];
    }
}
