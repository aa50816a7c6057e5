using System.IO.Pipes;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 28 A1): a console reader takes the async lock synchronously through a parameter
/// (<c>ReadUnder(SemaphoreSlim gate) { gate.Wait(); ... }</c>) and holds it while it reads a line (a pipe no one writes
/// to yet, as stdin); two flows await <c>Gate.WaitAsync()</c>. The dump cannot pin that parameter down: the reader may
/// hold this semaphore, and typing a line lets everything finish. Not a hang.
/// </summary>
public sealed class AsyncLockHeldByParameterReader : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_reading;
    private static int s_waiting;

    public override string Name => "twin-async-lock-held-by-parameter-reader";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Run("console-reader", () => ReadUnder(Gate));
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        var main = Run("main-like", () => Task.WhenAll(WorkAsync(), WorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ReadUnder(SemaphoreSlim gate)
    {
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
