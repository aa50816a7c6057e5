namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program: a service runs until Ctrl+C; the <c>Console.CancelKeyPress</c> handler releases a
/// <c>SemaphoreSlim(0, 1)</c> the main flow awaits. A signal, not a lock: no slot was taken, none can leak. Not hung.
/// </summary>
public sealed class AsyncSignalFromCtrlC : Scenario
{
    private static readonly SemaphoreSlim Stop = new(0, 1);
    private static int s_waiting;

    public override string Name => "twin-async-signal-from-ctrl-c";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            Stop.Release();
        };
        var main = Run("main-like", () => RunAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 1);
        WaitUntilBlocked(main);
        Thread.Sleep(200);
    }

    private static async Task RunAsync()
    {
        await Task.Yield();
        Interlocked.Increment(ref s_waiting);
        await Stop.WaitAsync();
    }
}
