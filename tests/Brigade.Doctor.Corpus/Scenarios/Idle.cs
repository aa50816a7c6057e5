namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: an idle process (its main thread reads the console, the pool waits for work).</summary>
public sealed class Idle : Scenario
{
    public override string Name => "twin-idle";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        // Start the pool so the dump has idle workers in it.
        Task.Run(() => { }).Wait();
    }
}
