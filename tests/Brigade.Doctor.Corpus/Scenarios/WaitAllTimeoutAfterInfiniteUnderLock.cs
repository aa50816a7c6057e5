namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 29d F1): the caller of <see cref="WaitAllTimeoutUnderLock"/> first waits on a finished
/// task with <c>Timeout.Infinite</c>, then on the stuck parts with a finite timeout. The frame's IL offset does not tell
/// which of the two calls it is in: the wait it is in gives up, so it is no edge.</summary>
public sealed class WaitAllTimeoutAfterInfiniteUnderLock : Scenario
{
    private static readonly object Journal = new();

    public override string Name => "twin-wait-all-timeout-after-infinite-under-lock";

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

                Task.WaitAll([Task.CompletedTask], Timeout.Infinite);
                var done = Task.WaitAll([a, b], 600_000);
                GC.KeepAlive(done);
            }
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 2);
        WaitUntilBlocked(caller);
    }
}
