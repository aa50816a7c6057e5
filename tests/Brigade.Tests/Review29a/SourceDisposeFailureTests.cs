namespace Brigade.Tests.Review29a;

/// <summary>
/// Review 31 F4: an input whose disposal throws after every item ran (an <see cref="IAsyncEnumerator{T}"/>'s
/// <c>DisposeAsync</c>, an <see cref="IEnumerator{T}"/>'s <c>Dispose</c>) let a raw exception escape before the run's
/// report was built: a finished map run's results and report were lost. It now fails as the input:
/// <see cref="SourceFailedException"/> with every item read, and the report of the items that ran.
/// </summary>
public sealed class SourceDisposeFailureTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Engines => [.. EngineNames.All];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task MapAsync_AsyncEnumeratorDisposeThrows_SourceFailedWithTheReport(string engine)
    {
        var input = new DisposeThrowsAsync(5);
        var run = Runner.MapAsync(input, x => x * 2, new RunOptions { Engine = EngineNames.Create(engine) });

        // Before the fix: the InvalidOperationException itself, with no report.
        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => run.WaitAsync(Bound));
        Assert.Equal("dispose failed", ex.InnerException?.Message);
        Assert.Equal(5, ex.ItemsRead);
        Assert.Equal(5, ex.Report.Succeeded);
        Assert.Equal(1, Volatile.Read(ref input.Disposed));
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task ForEach_EnumeratorDisposeThrows_SourceFailedWithTheReport(string engine)
    {
        var ran = 0;
        var run = Runner.ForEachAsync(new DisposeThrows(4), _ => Interlocked.Increment(ref ran), new RunOptions { Engine = EngineNames.Create(engine) });

        var ex = await Assert.ThrowsAsync<SourceFailedException>(() => run.WaitAsync(Bound));
        Assert.Equal("dispose failed", ex.InnerException?.Message);
        Assert.Equal(4, ex.ItemsRead);
        Assert.Equal(4, ex.Report.Succeeded);
        Assert.Equal(4, ran);
    }

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(Engines))]
    public async Task StreamAsync_AsyncEnumeratorDisposeThrows_EveryResultThenSourceFailed(string engine)
    {
        var seen = new List<int>();
        async Task ReadAll()
        {
            await foreach (var r in Runner.StreamAsync(new DisposeThrowsAsync(6), x => x, new RunOptions { Engine = EngineNames.Create(engine) }))
            {
                seen.Add(r.Value);
            }
        }

        await Assert.ThrowsAsync<SourceFailedException>(() => ReadAll().WaitAsync(Bound));
        seen.Sort();
        Assert.Equal([0, 1, 2, 3, 4, 5], seen);
    }

    private sealed class DisposeThrowsAsync(int count) : IAsyncEnumerable<int>
    {
        public int Disposed;

        public IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default) => new Enumerator(this, count);

        private sealed class Enumerator(DisposeThrowsAsync owner, int count) : IAsyncEnumerator<int>
        {
            private int _next = -1;

            public int Current => _next;

            public ValueTask<bool> MoveNextAsync() => ValueTask.FromResult(++_next < count);

            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref owner.Disposed);
                throw new InvalidOperationException("dispose failed");
            }
        }
    }

    private sealed class DisposeThrows(int count) : IEnumerable<int>
    {
        public IEnumerator<int> GetEnumerator() => new Enumerator(count);

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        private sealed class Enumerator(int count) : IEnumerator<int>
        {
            private int _next = -1;

            public int Current => _next;

            object System.Collections.IEnumerator.Current => _next;

            public bool MoveNext() => ++_next < count;

            public void Reset() => throw new NotSupportedException();

            public void Dispose() => throw new InvalidOperationException("dispose failed");
        }
    }
}
