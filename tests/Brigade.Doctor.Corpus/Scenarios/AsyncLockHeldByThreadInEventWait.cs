namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 26 D2): a dedicated thread takes an object's async lock with <c>_gate.Wait()</c> (a field of
/// <c>this</c>) and holds it while it waits, without a timeout, for a <c>ManualResetEventSlim</c> something else sets (a
/// Ctrl+C handler); two flows await <c>_gate.WaitAsync()</c>. The holder is a thread that any setter of the event wakes:
/// not a leaked slot.
/// </summary>
public sealed class AsyncLockHeldByThreadInEventWait : Scenario
{
    public override string Name => "twin-async-lock-held-by-thread-in-event-wait";

    public override Expectation Expected => new(Finding.None) { Blocked = ["holder"], WaitKinds = ["ManualResetEventSlim"] };

    public override void Start()
    {
        var printer = new Printer(new SemaphoreSlim(1, 1), new ManualResetEventSlim(false));
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            printer.Go.Set();
        };
        var holder = Run("holder", printer.Hold);
        WaitUntilBlocked(holder);
        var main = Run("main-like", () => Task.WhenAll(printer.PrintAsync(), printer.PrintAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref printer.Waiting) == 2);
        WaitUntilBlocked(main);
    }

    private sealed class Printer(SemaphoreSlim gate, ManualResetEventSlim go)
    {
        private readonly SemaphoreSlim _gate = gate;
        public readonly ManualResetEventSlim Go = go;
        public int Waiting;

        public void Hold()
        {
            _gate.Wait();
            try
            {
                Go.Wait();
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task PrintAsync()
        {
            Interlocked.Increment(ref Waiting);
            await _gate.WaitAsync();
            try
            {
                await Task.Yield();
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
