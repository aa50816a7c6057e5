namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 60: a summary holds the totals' lock, starts three workers and waits on a <c>CountdownEvent(3)</c>; two signal
/// at once, the third adds to the totals under that lock before it signals. A countdown records no owner: before, "No
/// pitfall found" with "if that thread is to signal it, they deadlock"; the third's own code signals this very countdown
/// after the lock.
/// </summary>
public sealed class CountdownWaitUnderLockSignallersBehind : Scenario
{
    private static readonly object Totals = new();
    private static int s_total;

    public override string Name => "countdown-wait-under-lock-signallers-behind";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["summary", "sum-2"]],
        WaitKinds = ["Monitor", "ManualResetEventSlim"],
        TextContains = "calls Signal on it after the lock it waits for) by",
    };

    public override void Start()
    {
        var workers = new Thread[3];
        var summary = Run("summary", () =>
        {
            var done = new CountdownEvent(3);
            lock (Totals)
            {
                for (var i = 0; i < workers.Length; i++)
                {
                    var last = i == workers.Length - 1;
                    workers[i] = Run($"sum-{i}", () =>
                    {
                        if (last)
                        {
                            lock (Totals)
                            {
                                s_total++;
                            }
                        }

                        done.Signal();
                    });
                }

                done.Wait();
            }
        });
        WaitUntil(() => Volatile.Read(ref workers[^1]) is not null);
        WaitUntilBlocked(summary, workers[^1]);
    }
}
