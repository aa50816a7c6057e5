using System.Collections;
using System.Collections.Concurrent;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review34d;

// Review 34d: an IList/IReadOnlyList input whose indexer throws (a lazy or remote list, a list shrunk during the run) lost
// the whole range a worker had claimed: the items of that range read before the failing index never ran, and neither
// they nor the rest of the range were counted anywhere (Items 100 = 84 succeeded + 0 failed + 0 not run on the thread
// pool with BatchSize 16, index 40 failing), while ItemsRead counted them as read. A sequence that throws keeps the
// items read before the failure and runs them; a list now does the same, and the unread rest of the range is not run.
public sealed class ListIndexerFailureTests
{
    public static TheoryData<string, bool> Engines()
    {
        var data = new TheoryData<string, bool>();
        foreach (var engine in new[] { "sequential", "threadpool", "threads", "async", "auto" })
        {
            data.Add(engine, false);
            data.Add(engine, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task ListIndexerThrows_ItemsBeforeItRun_AndEveryItemIsAccountedFor(string engineName, bool readOnlyList)
    {
        Assert.True(Engine.TryGetBuiltIn(engineName, out var engine));
        var ran = new ConcurrentDictionary<int, int>();
        IEnumerable<int> input = readOnlyList ? new ThrowingReadOnlyList(100, 40) : new ThrowingList(100, 40);

        var error = await Assert.ThrowsAsync<SourceFailedException>(() => Runner.ForEachAsync(input, i => { ran.AddOrUpdate(i, 1, (_, n) => n + 1); },
            new RunOptions { Engine = engine, BatchSize = 16 }).Bounded());

        var report = error.Report;
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.All(ran.Values, n => Assert.Equal(1, n));
        Assert.All(Enumerable.Range(0, 40), i => Assert.True(ran.ContainsKey(i), $"item {i}, read before the failing index 40, did not run"));
        Assert.False(ran.ContainsKey(40));
        Assert.Equal(100, report.Items);
        Assert.Equal(ran.Count, report.Succeeded);
        Assert.Equal(0, report.Failed);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
        Assert.Equal(report.Succeeded, error.ItemsRead);
    }

    private sealed class ThrowingReadOnlyList(int count, int bad) : IReadOnlyList<int>
    {
        public int Count => count;

        public int this[int index] => index == bad ? throw new InvalidOperationException("the list failed at " + index) : index;

        public IEnumerator<int> GetEnumerator() => Enumerable.Range(0, count).Select(i => this[i]).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class ThrowingList(int count, int bad) : IList<int>
    {
        public int Count => count;

        public bool IsReadOnly => true;

        public int this[int index]
        {
            get => index == bad ? throw new InvalidOperationException("the list failed at " + index) : index;
            set => throw new NotSupportedException();
        }

        public IEnumerator<int> GetEnumerator() => Enumerable.Range(0, count).Select(i => this[i]).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public int IndexOf(int item) => throw new NotSupportedException();

        public void Insert(int index, int item) => throw new NotSupportedException();

        public void RemoveAt(int index) => throw new NotSupportedException();

        public void Add(int item) => throw new NotSupportedException();

        public void Clear() => throw new NotSupportedException();

        public bool Contains(int item) => throw new NotSupportedException();

        public void CopyTo(int[] array, int arrayIndex) => throw new NotSupportedException();

        public bool Remove(int item) => throw new NotSupportedException();
    }
}
