namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: four threads contend for two locks, always taken in the same order: waits, never a cycle.</summary>
public sealed class OrderedLocks : Scenario
{
    private static readonly object First = new();
    private static readonly object Second = new();
    private static long s_transfers;

    public override string Name => "twin-ordered-locks";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        for (var i = 0; i < 4; i++)
        {
            Run($"ordered-{i}", () =>
            {
                while (true)
                {
                    lock (First)
                    {
                        lock (Second)
                        {
                            s_transfers++;
                            Thread.SpinWait(2000);
                        }
                    }
                }
            });
        }

        WaitUntil(() => Volatile.Read(ref s_transfers) > 1000);
    }
}
