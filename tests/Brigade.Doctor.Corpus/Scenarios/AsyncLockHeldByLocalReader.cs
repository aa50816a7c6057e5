using System.IO.Pipes;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 28 A1): a console reader takes the async lock synchronously through a local
/// (<c>var gate = Gate; gate.Wait();</c>) and holds it while it reads a line (a pipe no one writes to yet, as stdin);
/// two flows await <c>Gate.WaitAsync()</c>. The receiver of that <c>Wait</c> is a local the dump cannot pin down: the
/// reader may hold this semaphore, and typing a line lets everything finish. Not a hang.
/// </summary>
public sealed class AsyncLockHeldByLocalReader : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_reading;
    private static int s_waiting;

    public override string Name => "twin-async-lock-held-by-local-reader";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Run("console-reader", ReadLine);
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        var main = Run("main-like", () => Task.WhenAll(WorkAsync(), WorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static void ReadLine()
    {
        var gate = Gate;
        gate.Wait();
        try
        {
            Interlocked.Increment(ref s_reading);
            var buffer = new byte[1];
            _ = Client.Read(buffer, 0, 1); // blocks: no line typed yet
        }
        finally
        {
            gate.Release();
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
