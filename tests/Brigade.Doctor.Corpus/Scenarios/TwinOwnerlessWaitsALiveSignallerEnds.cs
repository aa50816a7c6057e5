namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 71's twin: the same waits, each on a local, but something still live will end them. <c>timer-waiter</c> waits
/// on a <c>ManualResetEventSlim</c> a <c>System.Threading.Timer</c> due in an hour will set; <c>pulse-waiter</c> waits in
/// <c>Monitor.Wait</c> (in a condition loop) on a gate that <c>pulser</c>, sleeping an hour, will pulse; <c>reply-waiter</c>
/// blocks on a <c>TaskCompletionSource</c> that <c>replier</c>, reading a pipe no one writes yet, will complete. A correct
/// program: no pitfall, the waiters listed.
/// </summary>
public sealed class TwinOwnerlessWaitsALiveSignallerEnds : Scenario
{
    private static Timer? due;

    public override string Name => "twin-ownerless-waits-a-live-signaller-ends";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["timer-waiter", "pulse-waiter"],
        WaitKinds = ["ManualResetEventSlim", "MonitorWait"],
    };

    public override void Start()
    {
        // Each pair in a method of its own (one closure each): only its own signaller refers to a waiter's object.
        var (timerWaiter, pulseWaiter, pulser, replyWaiter) = (SetByTimer(), PulsedByASleeper(out var sleeper), sleeper, CompletedByAReader());
        WaitUntilBlocked(timerWaiter, pulseWaiter, pulser, replyWaiter);
    }

    private static Thread SetByTimer()
    {
        var loaded = new ManualResetEventSlim();
        due = new Timer(_ => loaded.Set(), null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        return Run("timer-waiter", () => loaded.Wait());
    }

    private static Thread PulsedByASleeper(out Thread pulser)
    {
        var gate = new object();
        var ready = false;
        var waiter = Run("pulse-waiter", () =>
        {
            lock (gate)
            {
                while (!ready)
                {
                    Monitor.Wait(gate);
                }
            }
        });
        pulser = Run("pulser", () =>
        {
            Thread.Sleep(TimeSpan.FromHours(1));
            lock (gate)
            {
                ready = true;
                Monitor.Pulse(gate);
            }
        });
        return waiter;
    }

    private static Thread CompletedByAReader()
    {
        var reply = new TaskCompletionSource<int>();
        var pipe = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.In);
        Run("replier", () => reply.SetResult(pipe.ReadByte()));
        return Run("reply-waiter", () => reply.Task.GetAwaiter().GetResult());
    }
}
