namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 21, D1): the UI thread waits for its task with a timeout (Task.Wait(TimeSpan)); the continuation is queued
/// on its context. The wait gives up after the timeout and the loop then runs the continuation: no deadlock.</summary>
public sealed class UiThreadTimedWait : Scenario
{
    private static int _blocked;

    public override string Name => "twin-ui-timed-wait";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var context = new SingleThreadContext();
        context.Post(_ => { Volatile.Write(ref _blocked, 1); LoadAsync().Wait(TimeSpan.FromMinutes(10)); }, null);
        var ui = Run("ui-timed", context.RunLoop);
        WaitUntil(() => Volatile.Read(ref _blocked) == 1);
        WaitUntilBlocked(ui);
    }

    private static async Task<int> LoadAsync()
    {
        await Task.Delay(50);
        return 42;
    }
}
