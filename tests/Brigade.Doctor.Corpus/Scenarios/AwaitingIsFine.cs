namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin: async work awaits a long delay and a promise; nothing blocks a thread.</summary>
public sealed class AwaitingIsFine : Scenario
{
    private static readonly TaskCompletionSource Never = new();
    private static readonly List<Task> Pending = [];

    public override string Name => "twin-awaiting";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        for (var i = 0; i < 4; i++)
        {
            Pending.Add(Task.Run(async () => { await Task.Delay(TimeSpan.FromHours(1)).ConfigureAwait(false); }));
            Pending.Add(Task.Run(async () => { await Never.Task.ConfigureAwait(false); }));
        }

        Thread.Sleep(200);
    }
}
