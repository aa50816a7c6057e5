using System.IO.Pipes;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 28 A4): a console reader takes the async lock with <c>Gate.Wait()</c>, hands a permit of
/// another semaphore back (<c>Pool[i].Release()</c>, a receiver the dump cannot read) and holds the lock while it reads a
/// line (a pipe no one writes to yet, as stdin); two flows await <c>Gate.WaitAsync()</c>. A <c>Release</c> of a
/// semaphore that cannot be read releases none that is known: the reader holds <c>Gate</c>, and typing a line lets
/// everything finish. Not a hang.
/// </summary>
public sealed class AsyncLockHeldAfterOtherRelease : Scenario
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_reading;
    private static int s_waiting;

    public override string Name => "twin-async-lock-held-after-other-release";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Run("console-reader", ReadLine);
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        var main = Run("main-like", () => Task.WhenAll(WorkAsync(), WorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 2);
        WaitUntilBlocked(main);
    }

    private static readonly SemaphoreSlim[] Pool = [new(0, 1), new(0, 1)];

    private static void ReadLine()
    {
        var i = Environment.ProcessorCount > 0 ? 1 : 0;
        Gate.Wait();
        try
        {
            Pool[i].Release();
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
