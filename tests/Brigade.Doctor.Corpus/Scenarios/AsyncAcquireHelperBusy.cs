#pragma warning disable CA1001 // a corpus program: its objects live until the process ends

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>
/// Correct program: the slot is taken in a helper (<c>await AcquireAsync()</c>, which awaits <c>_gate.WaitAsync()</c>
/// and returns) and released in the caller's <c>finally</c>; a nightly job holds it across a long <c>Task.Delay</c> and a
/// user request queues. Busy, not hung.
/// </summary>
public sealed class AsyncAcquireHelperBusy : Scenario
{
    private static readonly ReportService Service = new();
    private static int s_waiting;

    public override string Name => "twin-async-acquire-helper-busy";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        _ = Service.BuildAsync(TimeSpan.FromHours(1)); // the nightly job, not awaited by the main-like thread
        var main = Run("main-like", () => UserAsync().GetAwaiter().GetResult());
        WaitUntil(() => Volatile.Read(ref s_waiting) == 1);
        WaitUntilBlocked(main);
        Thread.Sleep(200);
    }

    private static async Task UserAsync()
    {
        await Task.Yield();
        Interlocked.Increment(ref s_waiting);
        await Service.BuildAsync(TimeSpan.Zero);
    }

    private sealed class ReportService
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        private async Task AcquireAsync()
        {
            await _gate.WaitAsync();
        }

        public async Task BuildAsync(TimeSpan work)
        {
            await AcquireAsync();
            try
            {
                await Task.Delay(work);
            }
            finally
            {
                _gate.Release();
            }
        }
    }
}
