namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: a thread joins a worker that sleeps (it will end); no cycle.</summary>
public sealed class JoinASleeper : Scenario
{
    public override string Name => "twin-join-sleeper";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var sleeper = Run("sleeper", () => Thread.Sleep(TimeSpan.FromHours(1)));
        WaitUntilBlocked(sleeper, Run("joiner", sleeper.Join));
    }
}
