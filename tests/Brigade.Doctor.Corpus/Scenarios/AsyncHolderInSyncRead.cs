using System.IO.Pipes;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program: a flow holds a <c>SemaphoreSlim(1, 1)</c> while it reads synchronously from a pipe no one writes
/// to yet (as <c>Console.In.ReadLineAsync</c> does on Unix), so its <c>MoveNext</c> runs on a pool thread blocked in I/O;
/// another flow queues on the semaphore. Waiting for the outside world, not hung.
/// </summary>
public sealed class AsyncHolderInSyncRead : Scenario
{
    private static readonly SemaphoreSlim Prompt = new(1, 1);
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_reading;

    public override string Name => "twin-async-holder-in-sync-read";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Task.Run(AskAsync); // not awaited by the main-like thread
        var main = Run("main-like", () => AskLaterAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        WaitUntilBlocked(main);
        Thread.Sleep(300);
    }

    private static async Task AskAsync()
    {
        await Prompt.WaitAsync();
        try
        {
            Interlocked.Increment(ref s_reading);
            var buffer = new byte[1];
            _ = Client.Read(buffer, 0, 1); // blocks: the answer has not come
        }
        finally
        {
            Prompt.Release();
        }
    }

    private static async Task AskLaterAsync()
    {
        while (Volatile.Read(ref s_reading) == 0)
        {
            await Task.Yield();
        }

        await Prompt.WaitAsync();
        Prompt.Release();
    }
}
