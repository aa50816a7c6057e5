namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: threads sleeping (a retry back-off, a polling loop).</summary>
public sealed class Sleeping : Scenario
{
    public override string Name => "twin-sleeping";

    public override Expectation Expected => new(Finding.None);

    public override void Start() => WaitUntilBlocked(
        Run("poller", () => { while (true) { Thread.Sleep(TimeSpan.FromMinutes(1)); } }),
        Run("backoff", () => Thread.Sleep(TimeSpan.FromHours(1))));
}
