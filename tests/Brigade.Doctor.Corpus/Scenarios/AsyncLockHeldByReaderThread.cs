using System.IO.Pipes;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 26 D2): an interactive tool's dedicated thread takes the async lock synchronously
/// (<c>Gate.Wait()</c>, a sync API beside the async ones) and holds it while it reads a line (here a pipe no one writes
/// to yet, as stdin); three flows await <c>Gate.WaitAsync()</c>. No flow took the slot: the reader did, and typing a line
/// lets everything finish. Waiting for the outside world, not a leaked slot.
/// </summary>
public sealed class AsyncLockHeldByReaderThread : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_reading;
    private static int s_waiting;

    public override string Name => "twin-async-lock-held-by-reader-thread";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Run("console-reader", ReadLine);
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        var main = Run("main-like", () => Task.WhenAll(WorkAsync(), WorkAsync(), WorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 3);
        WaitUntilBlocked(main);
    }

    private static void ReadLine()
    {
        Gate.Wait();
        try
        {
            Interlocked.Increment(ref s_reading);
            var buffer = new byte[1];
            _ = Client.Read(buffer, 0, 1); // blocks: no line typed yet
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task WorkAsync()
    {
        Interlocked.Increment(ref s_waiting);
        await Gate.WaitAsync();
        try
        {
            await Task.Yield();
        }
        finally
        {
            Gate.Release();
        }
    }
}
