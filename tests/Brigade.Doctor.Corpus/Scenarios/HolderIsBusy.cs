namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: one thread holds a lock while it computes for a long time; another waits for it. Slow, not deadlocked.</summary>
public sealed class HolderIsBusy : Scenario
{
    private static readonly object Report = new();
    private static volatile bool s_holding;

    public override string Name => "twin-holder-busy";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        Run("compute", () =>
        {
            lock (Report)
            {
                s_holding = true;
                var x = 0L;
                while (true)
                {
                    x += Environment.TickCount;
                    CpuLoop.Sink = (int)x;
                }
            }
        });
        WaitUntil(() => s_holding);
        WaitUntilBlocked(Run("reader", () => { lock (Report) { } }));
    }
}
