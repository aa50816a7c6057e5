namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 28, W1: the deadlock of <see cref="WaitAllUnderLock"/> with <c>Task.WaitAll(tasks, Timeout.InfiniteTimeSpan)</c>:
/// an infinite timeout never gives up, so the wait is the same edge as the untimed WaitAll.</summary>
public sealed class WaitAllInfiniteSpanUnderLock : Scenario
{
    private static readonly object Journal = new();

    public override string Name => "wait-all-infinite-span-under-lock";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["caller", "part-a"]], WaitKinds = ["Task", "Monitor"] };

    public override void Start()
    {
        var blocked = 0;
        void Part(string name)
        {
            Thread.CurrentThread.Name = name;
            Interlocked.Increment(ref blocked);
            if (name == "part-b")
            {
                Thread.Sleep(TimeSpan.FromHours(1));
            }

            lock (Journal) { }
        }

        var caller = Run("caller", () =>
        {
            lock (Journal)
            {
                var a = Task.Factory.StartNew(() => Part("part-a"), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                var b = Task.Factory.StartNew(() => Part("part-b"), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                while (Volatile.Read(ref blocked) < 2)
                {
                    Thread.Sleep(5);
                }

                Task.WaitAll([a, b], Timeout.InfiniteTimeSpan);
            }
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 2);
        WaitUntilBlocked(caller);
    }
}
