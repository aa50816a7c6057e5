using System.IO.Pipes;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program: a dedicated thread reads lines (here a pipe no one writes to yet, as stdin or a socket; the thread is in a read, not WaitSleepJoin) and releases
/// a <c>SemaphoreSlim(0)</c> per line; the main flow awaits the next one ("press Enter"). The reader, blocked in I/O
/// outside any async method, is what releases it. Waiting for the outside world, not hung.
/// </summary>
public sealed class AsyncSignalFromReaderThread : Scenario
{
    private static readonly SemaphoreSlim Line = new(0);
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);
    private static int s_waiting;
    private static int s_reading;

    public override string Name => "twin-async-signal-from-reader-thread";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Run("stdin-like", () =>
        {
            var buffer = new byte[1];
            Interlocked.Increment(ref s_reading);
            while (Client.Read(buffer, 0, 1) > 0)
            {
                Line.Release();
            }
        });
        var main = Run("main-like", () => RunAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 1);
        WaitUntilBlocked(main);
        WaitUntil(() => Volatile.Read(ref s_reading) == 1);
        Thread.Sleep(200);
    }

    private static async Task RunAsync()
    {
        await Task.Yield();
        Interlocked.Increment(ref s_waiting);
        await Line.WaitAsync();
    }
}
