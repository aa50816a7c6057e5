namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: a dedicated thread (not the pool's) blocks on a task that is waiting for a timer, as a console app's Main does.</summary>
public sealed class MainWaitsForDelay : Scenario
{
    public override string Name => "twin-dedicated-thread-waits-task";

    public override Expectation Expected => new(Finding.None);

    public override void Start() => WaitUntilBlocked(Run("main-like", () => RunAsync().GetAwaiter().GetResult()));

    private static async Task RunAsync() => await Task.Delay(TimeSpan.FromHours(1)).ConfigureAwait(false);
}
