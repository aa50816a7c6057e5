using System.Collections;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review48;

/// <summary>
/// lib48: an ordinary <see cref="IEnumerable{T}"/> whose <c>MoveNext</c> blocks kept a cancelled call running for good:
/// the worker blocked in it held the lock every other take and the input's disposal waited on. The call now throws
/// <see cref="RunCanceledException"/> about a second after the cancel, saying the input was left blocked in MoveNext
/// (the thread reading it stays there until it returns, and then disposes the enumerator).
/// </summary>
public sealed class BlockedInputTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async"];

    [Theory(Timeout = 90_000)]
    [MemberData(nameof(Engines))]
    public async Task CancelledRun_InputBlockedInMoveNext_ReturnsAndSaysTheInputWasLeftBlocked(string engine)
    {
        Assert.True(Engine.TryGetBuiltIn(engine, out var chosen));
        using var input = new BlockingInput(itemsBeforeBlocking: 2);
        using var cts = new CancellationTokenSource();
        // The two items read before MoveNext blocks have finished before the cancel: the run's own progress says so (the
        // async engine reads ahead, so the block alone does not say they ran: ci123 cancelled before they started).
        using var twoDone = new ManualResetEventSlim();
        var progress = new Callback(p =>
        {
            if (p.Completed >= 2)
            {
                twoDone.Set();
            }
        });
        var run = Runner.MapAsync(input, x => x * 10, new RunOptions { Engine = chosen, BatchSize = 1, Progress = progress }, cts.Token);
        try
        {
            Assert.True(await Task.Run(() => input.Blocked.Wait(TestTimeouts.Generous)), "MoveNext never blocked");
            Assert.True(await Task.Run(() => twoDone.Wait(TestTimeouts.Generous)), "the two items read never finished");
            await cts.CancelAsync();

            // Before: the call never returned (this wait timed out).
            var e = await Assert.ThrowsAsync<RunCanceledException>(() => run.Bounded());
            Assert.Contains("left blocked in its enumerator's MoveNext", e.Message, StringComparison.Ordinal);
            Assert.Contains("the thread reading it stays there until MoveNext returns", e.Message, StringComparison.Ordinal);
            Assert.Equal(2, e.Report.Succeeded);
            Assert.Equal(0, e.Report.Failed);
            Assert.Contains("input left blocked in MoveNext", e.Report.ToString(), StringComparison.Ordinal);
            Assert.False(input.Disposed.IsSet, "the enumerator was disposed while MoveNext was still running on it");
        }
        finally
        {
            input.Release.Set();
        }

        // Once MoveNext returns, the thread that was left in it disposes the enumerator.
        Assert.True(await Task.Run(() => input.Disposed.Wait(TestTimeouts.Generous)), "the enumerator was never disposed");
    }

    [Fact(Timeout = 90_000)]
    public async Task CancellableRun_OrdinaryLazyInput_EveryItemOnceInOrderAndDisposed()
    {
        // The reading thread a cancellable run reads its input on changes nothing for an input that does not block.
        using var cts = new CancellationTokenSource();
        var disposed = 0;
        IEnumerable<int> Lazy()
        {
            try
            {
                for (var i = 0; i < 5000; i++)
                {
                    yield return i;
                }
            }
            finally
            {
                disposed++;
            }
        }

        var result = await Runner.MapAsync(Lazy(), x => x + 1, new RunOptions { Engine = Engine.ThreadPool }, cts.Token).Bounded();

        Assert.Equal(Enumerable.Range(1, 5000), result.Values);
        Assert.Equal(5000, result.Report.Items);
        Assert.Equal(1, disposed);
    }

    private sealed class Callback(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }

    private sealed class BlockingInput(int itemsBeforeBlocking) : IEnumerable<int>, IDisposable
    {
        public int ItemsBeforeBlocking => itemsBeforeBlocking;

        public ManualResetEventSlim Blocked { get; } = new();

        public ManualResetEventSlim Release { get; } = new();

        public ManualResetEventSlim Disposed { get; } = new();

        public IEnumerator<int> GetEnumerator() => new Enumerator(this);

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public void Dispose()
        {
            Blocked.Dispose();
            Release.Dispose();
            Disposed.Dispose();
        }

        private sealed class Enumerator(BlockingInput input) : IEnumerator<int>
        {
            private int _next;

            public int Current { get; private set; }

            object IEnumerator.Current => Current;

            public bool MoveNext()
            {
                if (_next < input.ItemsBeforeBlocking)
                {
                    Current = _next++;
                    return true;
                }

                input.Blocked.Set();
                input.Release.Wait();
                return false;
            }

            public void Reset() => throw new NotSupportedException();

            public void Dispose() => input.Disposed.Set();
        }
    }
}
