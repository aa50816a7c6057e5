namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: threads that are merely slow, spinning on the CPU.</summary>
public sealed class CpuLoop : Scenario
{
    internal static volatile int Sink;

    public override string Name => "twin-cpu-loop";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        for (var i = 0; i < 2; i++)
        {
            Run($"spinner-{i}", () =>
            {
                var x = 0;
                while (true)
                {
                    x = (x * 31) + 7;
                    Sink = x;
                }
            });
        }

        Thread.Sleep(100);
    }
}
