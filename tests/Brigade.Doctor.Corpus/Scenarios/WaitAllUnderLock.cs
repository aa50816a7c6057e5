namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>A thread holds a lock and waits (<c>Task.WaitAll</c>, as <c>Parallel.Invoke</c> does) for two tasks whose code
/// needs that lock: it needs both, and each is blocked behind it.</summary>
public sealed class WaitAllUnderLock : Scenario
{
    private static readonly object Journal = new();

    public override string Name => "wait-all-under-lock";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["caller", "part-a"]], AlsoStuck = ["part-b"], WaitKinds = ["Task", "Monitor"] };

    public override void Start()
    {
        var blocked = 0;
        void Part(string name)
        {
            Thread.CurrentThread.Name = name;
            Interlocked.Increment(ref blocked);
            lock (Journal) { }
        }

        var caller = Run("caller", () =>
        {
            lock (Journal)
            {
                var a = Task.Factory.StartNew(() => Part("part-a"), TaskCreationOptions.LongRunning);
                var b = Task.Factory.StartNew(() => Part("part-b"), TaskCreationOptions.LongRunning);
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
