namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and waits (<c>Task.WaitAll</c>, as <c>Parallel.Invoke</c> does) for two tasks: one sleeps,
/// the other needs that lock. WaitAll needs both, so the second closes a cycle whichever task the frames show first.</summary>
public sealed class WaitAllUnderLock : Scenario
{
    private static readonly object Journal = new();

    public override string Name => "wait-all-under-lock";

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

                Task.WaitAll(a, b);
            }
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 2);
        WaitUntilBlocked(caller);
    }
}
