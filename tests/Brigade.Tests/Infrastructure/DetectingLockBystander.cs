using Brigade.Synchronization;

namespace Brigade.Tests.Infrastructure;

/// <summary>
/// Two threads outside any run: one holds a <see cref="DetectingLock"/>, the other tries it again and again (2 ms time-outs,
/// each a wait the lock times). A run's first item calls <see cref="WaitInsideRun"/>: it returns once three of those
/// waits began and ended after the run had started, so they fall inside the run's window whatever the machine's load.
/// </summary>
internal sealed class DetectingLockBystander : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly ManualResetEventSlim _runStarted = new();
    private readonly ManualResetEventSlim _waited = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _holder;
    private readonly Thread _waiter;

    public DetectingLockBystander()
    {
        var contended = new DetectingLock("held by a bystander");
        using var holding = new ManualResetEventSlim();
        _holder = new Thread(() =>
        {
            using (contended.Acquire())
            {
                holding.Set();
                _stop.Token.WaitHandle.WaitOne(Bound);
            }
        }) { IsBackground = true, Name = "bystander holding a DetectingLock" };
        _waiter = new Thread(() =>
        {
            var waitsInRun = 0;
            while (!_stop.IsCancellationRequested)
            {
                var inRun = _runStarted.IsSet;
                using (contended.TryAcquire(TimeSpan.FromMilliseconds(2)))
                {
                }

                if (inRun && ++waitsInRun == 3)
                {
                    _waited.Set();
                }
            }
        }) { IsBackground = true, Name = "bystander waiting on a DetectingLock" };
        _holder.Start();
        if (!holding.Wait(Bound))
        {
            throw new TimeoutException("the bystander never took its lock");
        }

        _waiter.Start();
    }

    /// <summary>Called by a run's item: returns once the bystander waited three times since.</summary>
    public void WaitInsideRun()
    {
        _runStarted.Set();
        Assert.True(_waited.Wait(Bound), "the bystander did not wait within the bound");
    }

    /// <summary>Stops both threads.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _holder.Join(Bound);
        _waiter.Join(Bound);
        _stop.Dispose();
        _runStarted.Dispose();
        _waited.Dispose();
    }
}
