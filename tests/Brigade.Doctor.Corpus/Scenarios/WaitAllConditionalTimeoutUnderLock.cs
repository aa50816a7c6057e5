namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 29d F2): the caller of <see cref="WaitAllTimeoutUnderLock"/> passes
/// <c>forever ? Timeout.Infinite : 600_000</c> with <c>forever</c> false. The compiler emits <c>ldc.i4.m1</c> just before
/// the call, but a branch lands on the call: the timeout is not known to be infinite, and this one gives up.</summary>
public sealed class WaitAllConditionalTimeoutUnderLock : Scenario
{
    private static readonly object Journal = new();
    private static bool s_forever = Environment.GetEnvironmentVariable("BRIGADE_CORPUS_FOREVER") == "1";

    public override string Name => "twin-wait-all-conditional-timeout-under-lock";

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

                Task.WaitAll([a, b], Volatile.Read(ref s_forever) ? Timeout.Infinite : 600_000);
            }
        });
        WaitUntil(() => Volatile.Read(ref blocked) == 2);
        WaitUntilBlocked(caller);
    }
}
