using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review68;

// Review 68 (found by its snippet 8). A SemaphoreSlim made with an initial count other than 1 (`new SemaphoreSlim(3)`, a
// throttle) lets that many bodies in at once: a write after its Wait/WaitAsync was taken as guarded, as under a mutex.
// BRG2001 already told the two apart (review 45's `IsCountingSemaphore`, by the count the declaration shows); BRG2002 now
// does too, for fields, properties and locals. Still guarded: a SemaphoreSlim(1, 1) or (1), one whose count the
// declaration does not show (made elsewhere, a parameter), a lock inside the throttle.
public sealed class CountingSemaphoreTests
{
    [Fact]
    public Task Reports_writes_under_a_throttle_but_not_under_a_mutex() => Verifier.AnalyzerAsync(
        """
        class Uploader
        {
            private readonly SemaphoreSlim _throttle = new(3);
            private readonly SemaphoreSlim _mutex = new SemaphoreSlim(1, 1);
            private SemaphoreSlim Gate { get; } = new(4, 4);
            private readonly object _lock = new();
            private int _inFlight;
            private long _uploaded;
            private int _gated;
            private int _locked;

            public async Task UploadAllAsync(string[] files, SemaphoreSlim given)
            {
                var local = new SemaphoreSlim(2);
                var localMutex = new SemaphoreSlim(1);
                var fromLocal = 0;
                var fromMutex = 0;
                await Parallel.ForEachAsync(files, async (file, ct) =>
                {
                    await _throttle.WaitAsync(ct);
                    try
                    {
                        [|_inFlight++|];
                        lock (_lock) { _locked++; }
                        await _mutex.WaitAsync(ct);
                        try { _uploaded += file.Length; } finally { _mutex.Release(); }
                    }
                    finally { _throttle.Release(); }

                    Gate.Wait(ct);
                    [|_gated++|];
                    Gate.Release();
                    await local.WaitAsync(ct);
                    [|fromLocal++|];
                    local.Release();
                    await localMutex.WaitAsync(ct);
                    fromMutex++;
                    localMutex.Release();
                    await given.WaitAsync(ct);
                    fromMutex--;
                    given.Release();
                });
            }
        }
        """);
}
