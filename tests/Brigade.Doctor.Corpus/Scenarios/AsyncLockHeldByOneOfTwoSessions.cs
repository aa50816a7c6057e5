using System.IO.Pipes;
using System.Runtime.CompilerServices;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program (review 28 A2): a session's console reader takes its own async lock (<c>_gate.Wait()</c>, a field of
/// <c>this</c>) and holds it while it reads a line (a pipe no one writes to yet, as stdin), with another session, which
/// has a <c>_gate</c> of its own, passed to it and rooted in the same frame; two flows await the first session's
/// <c>_gate.WaitAsync()</c>. The frame's <c>this</c> may be either session: the reader may hold this semaphore, and
/// typing a line lets everything finish. Not a hang.
/// </summary>
public sealed class AsyncLockHeldByOneOfTwoSessions : Scenario
{
    private static readonly AnonymousPipeServerStream Server = new(PipeDirection.Out);
    private static readonly AnonymousPipeClientStream Client = new(PipeDirection.In, Server.ClientSafePipeHandle);

    public override string Name => "twin-async-lock-held-by-one-of-two-sessions";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var one = new Session(new SemaphoreSlim(1, 1));
        var two = new Session(new SemaphoreSlim(1, 1));
        _ = Run("console-reader", () => one.Interactive(two));
        WaitUntil(() => Volatile.Read(ref one.Reading) == 1);
        var main = Run("main-like", () => Task.WhenAll(one.WorkAsync(), one.WorkAsync()).GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref one.Waiting) == 2);
        WaitUntilBlocked(main);
    }

    private sealed class Session(SemaphoreSlim gate)
    {
        private readonly SemaphoreSlim _gate = gate;
        public int Reading;
        public int Waiting;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public void Interactive(Session peer)
        {
            _gate.Wait();
            try
            {
                Interlocked.Increment(ref Reading);
                var buffer = new byte[1];
                _ = Client.Read(buffer, 0, 1); // blocks: no line typed yet
                GC.KeepAlive(peer);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task WorkAsync()
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
