namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Audit 4: a subscription disposes its <c>CancellationTokenRegistration</c> under the lock its callback takes,
/// while another thread's <c>Cancel()</c> is running that callback. <c>Dispose</c> waits (spinning, then sleeping) for the
/// callback to return; the callback waits for the lock. A deadlock the doctor showed as "waits in Thread.Sleep".</summary>
public sealed class CancellationRegistrationDisposedUnderLock : Scenario
{
    public override string Name => "cancellation-registration-disposed-under-lock";

    public override Expectation Expected => new(Finding.Deadlock)
    {
        Cycles = [["stopper", "canceller"]],
        WaitKinds = ["CancellationCallback", "Monitor"],
        HeldIn = "field Brigade.Doctor.Corpus.Scenarios.CancellationRegistrationDisposedUnderLock.Subscription._cts",
        // Review 45: the advice alone (no lock-order advice before it), so it starts the sentence: matched past its first word.
        TextContains = "ever dispose a CancellationTokenRegistration (it waits for a callback that Cancel is running) while holding a lock that callback takes",
    };

    public override void Start()
    {
        var subscription = new Subscription();
        var stopper = Run("stopper", subscription.Stop);
        var canceller = Run("canceller", subscription.Cancel);
        WaitUntilBlocked(stopper, canceller);
    }

    private sealed class Subscription : IDisposable
    {
        private readonly object _sync = new();
        private readonly CancellationTokenSource _cts = new();
        private readonly ManualResetEventSlim _callbackStarted = new();
        private readonly CancellationTokenRegistration _registration;
        private int _cancelled;

        public Subscription() => _registration = _cts.Token.Register(OnCancelled);

        public void Cancel() => _cts.Cancel();

        public void Stop()
        {
            lock (_sync)
            {
                _callbackStarted.Wait();
                _registration.Dispose();
            }
        }

        public void Dispose()
        {
            _cts.Dispose();
            _callbackStarted.Dispose();
        }

        private void OnCancelled()
        {
            _callbackStarted.Set();
            lock (_sync)
            {
                _cancelled++;
            }
        }
    }
}
