using Brigade.Tests.Review29a;

namespace Brigade.Tests.Review32;

/// <summary>
/// Review 32: on a run cancelled through its token, an input whose disposal throws (a producer's <c>finally</c> that
/// observes the same cancellation, say) turned the cancellation into <see cref="SourceFailedException"/>: a caller that
/// catches <see cref="OperationCanceledException"/> for its own cancel saw the run fail instead. The cancellation wins:
/// <see cref="RunCanceledException"/> with the report, as if the disposal had not thrown.
/// </summary>
public sealed class CancelledRunDisposeFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Engines => [.. EngineNames.All];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task Cancelled_AsyncEnumeratorDisposeThrows_RunCanceled(string engine)
    {
        using var cts = new CancellationTokenSource();
        var input = new EndlessDisposeThrowsAsync();
        var run = Runner.ForEachAsync(
            input,
            x =>
            {
                if (x == 2)
                {
                    cts.Cancel();
                }
            },
            new RunOptions { Engine = EngineNames.Create(engine) },
            cts.Token);

        // Before the fix: SourceFailedException wrapping the disposal's exception.
        var ex = await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(Bound));
        Assert.True(ex.Report.Cancelled);
        Assert.True(ex.Report.Succeeded >= 1);
        Assert.Equal(1, Volatile.Read(ref input.Disposed));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task Cancelled_EnumeratorDisposeThrows_MapRunCanceled(string engine)
    {
        using var cts = new CancellationTokenSource();
        var run = Runner.MapAsync(
            Endless(),
            x =>
            {
                if (x == 2)
                {
                    cts.Cancel();
                }

                return x;
            },
            new RunOptions { Engine = EngineNames.Create(engine) },
            cts.Token);

        var ex = await Assert.ThrowsAsync<RunCanceledException>(() => run.WaitAsync(Bound));
        Assert.True(ex.Report.Cancelled);
    }

    [Fact(Timeout = 60_000)]
    public async Task NotCancelled_DisposeThrows_StillSourceFailed()
    {
        // The other side of the rule: without a cancel the disposal's failure is still the input's (review 31 F4).
        var run = Runner.ForEachAsync(Finite(3), _ => { });

        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => run.WaitAsync(Bound));
        Assert.Equal("dispose failed", ex.InnerException?.Message);
        Assert.Equal(3, ex.ItemsRead);
    }

    // Endless, synchronous; its disposal throws, as a finally block that sees the cancellation would.
    private static IEnumerable<int> Endless()
    {
        try
        {
            for (var i = 0; ; i++)
            {
                yield return i;
            }
        }
        finally
        {
            DisposeFails();
        }
    }

    private static IEnumerable<int> Finite(int count)
    {
        try
        {
            for (var i = 0; i < count; i++)
            {
                yield return i;
            }
        }
        finally
        {
            DisposeFails();
        }
    }

    private static void DisposeFails() => throw new InvalidOperationException("dispose failed");

    private sealed class EndlessDisposeThrowsAsync : IAsyncEnumerable<int>
    {
        public int Disposed;

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(this);

        private sealed class Enumerator(EndlessDisposeThrowsAsync owner) : IAsyncEnumerator<int>
        {
            private int _next = -1;

            public int Current => _next;

            public ValueTask<bool> MoveNextAsync() => ValueTask.FromResult(++_next >= 0);

            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref owner.Disposed);
                throw new OperationCanceledException("dispose saw the cancel");
            }
        }
    }
}
