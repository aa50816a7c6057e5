using System.Diagnostics;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 47 (review 46's <c>spin-pool</c> with a <c>Stopwatch</c>): a pool work item holds a <c>SpinLock</c> and
/// busy-waits on the clock inside it; the other workers spin for it, more items are queued. A busy program, not a starved
/// one. The holder is almost always caught inside <c>Stopwatch.GetTimestamp</c>'s clock read, which leaves no frame the
/// dump can unwind: it showed as an idle thread that is no pool worker, so the spinners had no holder to name and the
/// pool was called starved (BRG1004).
/// </summary>
public sealed class SpinLockHolderBusyWaiting : Scenario
{
    private static readonly Counter Stock = new();
    private static int s_holding;
    private static int s_spinning;

    public override string Name => "spin-lock-holder-busy-waiting";

    public override Expectation Expected => new(Finding.None)
    {
        TextContains = "waits in SpinLock.Enter on Brigade.Doctor.Corpus.Scenarios.SpinLockHolderBusyWaiting+Counter",
    };

    public override void Start()
    {
        var workers = Environment.ProcessorCount;
        ThreadPool.GetMaxThreads(out _, out var io);
        ThreadPool.SetMaxThreads(workers, io);
        ThreadPool.QueueUserWorkItem(_ =>
        {
            var taken = false;
            Stock.Gate.Enter(ref taken);
            Volatile.Write(ref s_holding, 1);

            // A critical section timed by the clock, for good.
            while (Stopwatch.GetTimestamp() != 0)
            {
            }
        });
        WaitUntil(() => Volatile.Read(ref s_holding) == 1);
        for (var i = 0; i < workers * 4; i++)
        {
            ThreadPool.QueueUserWorkItem(_ =>
            {
                Interlocked.Increment(ref s_spinning);
                var taken = false;
                Stock.Gate.Enter(ref taken);
            });
        }

        WaitUntil(() => Volatile.Read(ref s_spinning) >= workers - 1 && ThreadPool.PendingWorkItemCount > 0);
    }

    private sealed class Counter
    {
        public SpinLock Gate = new(enableThreadOwnerTracking: true);
    }
}
