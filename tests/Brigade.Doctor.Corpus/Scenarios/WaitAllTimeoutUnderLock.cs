namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: the same shape with <c>Task.WaitAll(tasks, timeout)</c>: the wait gives up when its timeout
/// expires, so it is no edge of the wait-for graph.</summary>
public sealed class WaitAllTimeoutUnderLock : Scenario
{
    private static readonly object Journal = new();

    public override string Name => "twin-wait-all-timeout-under-lock";

    public override Expectation Expected => new(Finding.None) { TextContains = "Task.WaitAll(timeout)" };

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
                var a = Task.Factory.StartNew(() => Part("part-a"), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                var b = Task.Factory.StartNew(() => Part("part-b"), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                while (Volatile.Read(ref blocked) < 2)
                {
                    Thread.Sleep(5);
                }

                Task.WaitAll([a, b], TimeSpan.FromMinutes(10));
            }
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 2);
        WaitUntilBlocked(caller);
    }
}
