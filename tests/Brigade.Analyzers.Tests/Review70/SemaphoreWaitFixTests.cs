using Brigade.Analyzers.CodeFixes;
using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review70;

// Review 70 (fresh user, finding 5): BRG2003 reported `SemaphoreSlim.Wait()` in an async method, but `dotnet format analyzers
// --diagnostics BRG2003` left it: the call was classified as a blocking call with no mechanical fix. docs/analyzers.md
// promises "a call with an asynchronous twin on the same type → await the twin", and WaitAsync is that twin for every
// overload of Wait: same parameters, and where Wait returns bool (a timeout) WaitAsync returns Task<bool>, so the awaited
// value is the same bool. The fix keeps the arguments. Where nothing can be awaited (a lock's body, a synchronous body, a
// conditional access) or the type has no twin (ManualResetEventSlim), no fix is offered.
public sealed class SemaphoreWaitFixTests
{
    [Fact]
    public Task Fix_awaits_WaitAsync_for_Wait() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        "class C { async Task M(SemaphoreSlim gate) { await Task.Yield(); [|gate.Wait()|]; try { } finally { gate.Release(); } } }",
        "class C { async Task M(SemaphoreSlim gate) { await Task.Yield(); await gate.WaitAsync(); try { } finally { gate.Release(); } } }");

    [Fact]
    public Task Fix_keeps_the_token_and_the_timeout_and_the_bool_it_returns() => Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(
        """
        class C
        {
            async Task<bool> M(SemaphoreSlim gate, CancellationToken ct)
            {
                [|gate.Wait(ct)|];
                if (![|gate.Wait(100)|]) { return false; }
                var got = [|gate.Wait(TimeSpan.FromSeconds(1), ct)|];
                return got && [|gate.Wait(millisecondsTimeout: 5, cancellationToken: ct)|];
            }
        }
        """,
        """
        class C
        {
            async Task<bool> M(SemaphoreSlim gate, CancellationToken ct)
            {
                await gate.WaitAsync(ct);
                if (!await gate.WaitAsync(100)) { return false; }
                var got = await gate.WaitAsync(TimeSpan.FromSeconds(1), ct);
                return got && await gate.WaitAsync(millisecondsTimeout: 5, cancellationToken: ct);
            }
        }
        """);

    // The source is its own fixed state: no fix is offered, so nothing changes.
    private const string NothingToAwait =
        """
        class C
        {
            private readonly object _sync = new();

            async Task M(SemaphoreSlim gate, SemaphoreSlim maybe, ManualResetEventSlim ready)
            {
                await Task.Yield();
                [|ready.Wait()|];
                lock (_sync) { [|gate.Wait()|]; }
                maybe?[|.Wait()|];
            }

            void S(SemaphoreSlim gate) => Parallel.For(0, 4, i => [|gate.Wait()|]);
        }
        """;

    [Fact]
    public Task Fix_is_not_offered_where_nothing_can_be_awaited_or_there_is_no_twin() =>
        Verifier.CodeFixAsync<BRG2003AwaitCodeFix>(NothingToAwait, NothingToAwait);
}
