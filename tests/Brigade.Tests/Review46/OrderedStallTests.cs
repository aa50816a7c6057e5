namespace Brigade.Tests.Review46;

/// <summary>
/// Review 46 (left by review 45): an ordered stream waiting on one slow item held up to about twice
/// <see cref="RunOptions.StreamCapacity"/> results and said nothing; a reader watching it stall could not tell why. The
/// progress callback now names the item delivery waits for, how long and how many results are held behind it, and the
/// report keeps the longest such wait (in the summary from one second up).
/// </summary>
public sealed class OrderedStallTests
{
    [Fact(Timeout = 60_000)]
    public async Task OrderedStreamStalledOnOneItem_ProgressAndReportNameIt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new HeldProgress(release);
        var options = new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = 2, BatchSize = 1, PreserveOrder = true, StreamCapacity = 4, Progress = progress };

        var stream = Runner.StreamAsync(Enumerable.Range(0, 40), async (int i, CancellationToken ct) =>
        {
            if (i == 0)
            {
                await release.Task.WaitAsync(ct).ConfigureAwait(false);
            }

            return i;
        }, options);
        var read = new List<long>();
        await foreach (var result in stream.WithCancellation(CancellationToken.None).ConfigureAwait(false))
        {
            read.Add(result.Index);
        }

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)i), read);
        Assert.True(progress.FirstHeld >= 0);
        var held = progress.Reports[progress.FirstHeld];
        Assert.True(held.OrderedWaitTime > TimeSpan.Zero);
        Assert.InRange(held.OrderedHeld, 1, 2 * 4 + 2);
        Assert.Equal(0, stream.Report!.LongestOrderedWaitItem);
        Assert.True(stream.Report.LongestOrderedWait > TimeSpan.Zero);
        Assert.Null(progress.Reports[^1].OrderedWaitItem);
    }

    [Fact]
    public void TheSummary_NamesAWaitOfASecondOrMore()
    {
        var report = new RunReport { Engine = "threadpool", Items = 10, Succeeded = 10, LongestOrderedWait = TimeSpan.FromSeconds(12.34), LongestOrderedWaitItem = 7 };
        var brief = new RunReport { Engine = "threadpool", Items = 10, Succeeded = 10, LongestOrderedWait = TimeSpan.FromMilliseconds(400), LongestOrderedWaitItem = 7 };

        Assert.Contains(", ordered delivery waited 12.3 s for item 7", report.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("ordered delivery", brief.ToString(), StringComparison.Ordinal);
    }

    private sealed class HeldProgress(TaskCompletionSource release) : IProgress<RunProgress>
    {
        private readonly Lock _gate = new();
        private readonly List<RunProgress> _reports = [];

        public int FirstHeld { get; private set; } = -1;

        public List<RunProgress> Reports
        {
            get
            {
                lock (_gate)
                {
                    return [.. _reports];
                }
            }
        }

        public void Report(RunProgress value)
        {
            lock (_gate)
            {
                _reports.Add(value);
                if (FirstHeld < 0 && value.OrderedWaitItem == 0 && value.OrderedHeld > 0)
                {
                    FirstHeld = _reports.Count - 1;
                }
            }

            // Item 0 finishes only once a progress line has said the stream waits for it.
            if (value.OrderedWaitItem == 0 && value.OrderedHeld > 0)
            {
                release.TrySetResult();
            }
        }
    }
}
