namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 21, D3): one context pumped by two threads (as xunit's MaxConcurrencySyncContext is). One pump blocks in
/// .Result; the continuation is queued on the context and the other pump, busy for now, will run it: no deadlock.</summary>
public sealed class TwoPumpsOneContext : Scenario
{
    private static int _blocked;

    public override string Name => "twin-two-pumps";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var context = new SingleThreadContext();
        context.Post(_ => Thread.Sleep(TimeSpan.FromMinutes(10)), null);
        var busy = Run("pump-busy", context.RunLoop);
        Thread.Sleep(200);
        context.Post(_ => { Volatile.Write(ref _blocked, 1); _ = LoadAsync().Result; }, null);
        var waiting = Run("pump-waiting", context.RunLoop);
        WaitUntil(() => Volatile.Read(ref _blocked) == 1);
        WaitUntilBlocked(busy, waiting);
    }

    private static async Task<int> LoadAsync()
    {
        await Task.Delay(50);
        return 42;
    }
}
