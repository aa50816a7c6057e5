namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Review 50: a thread holds a lock and blocks (<c>GetAwaiter().GetResult()</c>) on an async method whose continuation
/// needs that lock, taken with <c>Monitor.Enter(lock, ref taken)</c> where <c>taken</c> lives across the await: a field of
/// the state machine, as every local of an async method is in a Debug build (a plain <c>lock</c> in a program run with
/// <c>dotnet run</c>). The continuation's frames root the state machine through that <c>ref</c>; it was taken for the
/// lock, which then had no holder ("caught between two holders"), and the deadlock was "no pitfall found".
/// </summary>
public sealed class NewLockTakenFlagInAsyncMethod : Scenario
{
    private static readonly object Ledger = new();

    public override string Name => "new-lock-taken-flag-in-async-method";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["bookkeeper", "continuation"]],
        WaitKinds = ["Task", "Monitor"],
        TextContains = "waits in Monitor.Enter on System.Object (static field Brigade.Doctor.Corpus.Scenarios.NewLockTakenFlagInAsyncMethod.Ledger)",
    };

    public override void Start()
    {
        var continuationRan = 0;
        var bookkeeper = Run("bookkeeper", () =>
        {
            lock (Ledger)
            {
                PostAsync(() => Volatile.Write(ref continuationRan, 1)).GetAwaiter().GetResult();
            }
        });
        WaitUntil(() => Volatile.Read(ref continuationRan) == 1);
        WaitUntilBlocked(bookkeeper);
    }

    private static async Task PostAsync(Action ran)
    {
        var taken = false;
        await Task.Yield();
        Thread.CurrentThread.Name = "continuation";
        ran();
        try
        {
            Monitor.Enter(Ledger, ref taken);
        }
        finally
        {
            if (taken)
            {
                Monitor.Exit(Ledger);
            }
        }
    }
}
