using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>
/// A tiny job's rest joined by one pool thread (AutoWorkerPool.MaybeJoin): the caller keeps taking batches, the helper takes
/// batches of the same job beside it. Forced here (<see cref="AutoEngineOptions.TinyJoin"/>): the offer is made after the
/// caller's first batch whatever the pool and the rest. The caller's second batch waits for the helper's first item, so
/// both run items; a run the helper did not join (it came after the sample changed the plan) is tried again.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoTinyJoinTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const int Count = 300;
    private const int Tries = 20;

    [Fact]
    public async Task HelperJoins_EveryItemRunsOnce_AndIsDelivered()
    {
        var (result, outcome, job) = await JoinedRunAsync(_ => { }, tiny: true);

        Assert.True(result.IsSuccess);
        Assert.Equal(Count, result.Report.Succeeded);
        Assert.All(Enumerable.Range(0, Count), i => Assert.Equal(1, job.Calls[i]));
        Assert.Equal(Enumerable.Range(0, Count).Select(Value), result.Values);

        // The helper's batches are the run's: counted once, in the totals; the plan (Tiny: the run was kept for it) says it.
        var helperItems = job.HelperItems();
        Assert.True(helperItems > 0);
        Assert.Equal(helperItems, outcome.Helper!.Totals.Items);
        Assert.Equal(Count, outcome.Totals.TotalItems + outcome.Warmup.TotalItems);
        Assert.Contains($"a pool thread joined ({helperItems:N0} items)", result.Report.Plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerSeesTheEnd_WhileTheHelperRuns_TheRunEndsOnlyAfterTheHelpersBatch()
    {
        // The helper's first item waits until the caller ran the last item (so it took everything and saw the input end),
        // then a little longer: the run must still wait for the rest of the helper's batch and deliver it.
        using var lastRan = new ManualResetEventSlim();
        var valid = 0;
        var (result, outcome, job) = await JoinedRunAsync(item =>
        {
            if (item.Index == Count - 1 && !item.OnHelper)
            {
                lastRan.Set();
            }

            if (item.OnHelper && item.FirstOnHelper)
            {
                if (lastRan.Wait(TimeSpan.FromSeconds(5)))
                {
                    Thread.Sleep(20);
                    Volatile.Write(ref valid, 1);
                }
            }
        }, retry: _ => Volatile.Read(ref valid) == 0 ? ResetAnd(lastRan) : false);

        Assert.Equal(0, Volatile.Read(ref job.Running));
        Assert.True(result.IsSuccess);
        Assert.All(Enumerable.Range(0, Count), i => Assert.Equal(1, job.Calls[i]));
        Assert.Equal(Enumerable.Range(0, Count).Select(Value), result.Values);
        Assert.Equal(job.HelperItems(), outcome.Helper!.Totals.Items);

        // Nothing runs once the run has ended.
        job.Ended = true;
        await Task.Delay(50);
        Assert.Equal(0, Volatile.Read(ref job.After));
    }

    [Fact]
    public async Task ItemsFailingOnTheHelper_AreReportedWithTheirIndex()
    {
        // The helper's first item throws, its second one is cancelled by its own token (not the run's): both are failures of
        // those items, with their indices, and every other item still runs once.
        var (result, outcome, job) = await JoinedRunAsync(item =>
        {
            if (item.OnHelper && item.FirstOnHelper)
            {
                throw new InvalidOperationException($"item {item.Index}");
            }

            if (item.OnHelper && item.SecondOnHelper)
            {
                throw new OperationCanceledException($"item {item.Index}");
            }
        }, retry: job => job.HelperItems() < 2);

        var onHelper = Enumerable.Range(0, Count).Where(i => job.OnHelper[i]).Order().ToList();
        var failed = result.Failures.OrderBy(f => f.Index).ToList();
        Assert.Equal(2, failed.Count);
        Assert.Equal(onHelper.Take(2).Select(i => (long)i), failed.Select(f => f.Index));
        Assert.IsType<InvalidOperationException>(failed[0].Exception);
        Assert.Equal($"item {failed[0].Index}", failed[0].Exception.Message);
        Assert.IsType<OperationCanceledException>(failed[1].Exception);
        Assert.Equal($"item {failed[1].Index}", failed[1].Exception.Message);
        Assert.Equal(Count - 2, result.Report.Succeeded);
        Assert.All(Enumerable.Range(0, Count), i => Assert.Equal(1, job.Calls[i]));
        Assert.All(Enumerable.Range(0, Count).Where(i => !failed.Exists(f => f.Index == i)), i => Assert.Equal(Value(i), result[i].Value));
        Assert.Equal(job.HelperItems(), outcome.Helper!.Totals.Items);
    }

    [Fact]
    public async Task RunCancelledFromTheHelper_StopsBothAndReportsWhatRan()
    {
        // The helper's first item cancels the run and observes it: that item did not finish; the caller stops at its next
        // item or batch; the report counts every item once, as succeeded or not run, and nothing runs after the run ended.
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, TinyJoin = true });
        for (var run = 0; run < Tries; run++)
        {
            using var cts = new CancellationTokenSource();
            var job = new JoinJob(item =>
            {
                if (item.OnHelper && item.FirstOnHelper)
                {
                    cts.Cancel();
                    cts.Token.ThrowIfCancellationRequested();
                }
            });

            RunCanceledException? e = null;
            try
            {
                _ = await Runner.MapAsync(Enumerable.Range(0, Count).ToArray(), job.Item, new RunOptions { Engine = engine }, cts.Token).WaitAsync(Bound);
            }
            catch (RunCanceledException x)
            {
                e = x;
            }

            Assert.Equal(0, Volatile.Read(ref job.Running));
            if (e is null)
            {
                // The helper came too late to run an item: nothing cancelled the run.
                Assert.False(cts.IsCancellationRequested);
                continue;
            }

            Assert.True(e.Report.Cancelled);
            Assert.Equal(Count, e.Report.Succeeded + e.Report.NotRun);
            Assert.Equal(job.Returned, e.Report.Succeeded);
            Assert.All(Enumerable.Range(0, Count), i => Assert.InRange(job.Calls[i], 0, 1));
            job.Ended = true;
            await Task.Delay(50);
            Assert.Equal(0, Volatile.Read(ref job.After));
            return;
        }

        Assert.Fail($"the helper ran no item in {Tries} runs");
    }

    private static int Value(int i) => (i * 3) + 1;

    private static bool ResetAnd(ManualResetEventSlim e)
    {
        e.Reset();
        return true;
    }

    // Runs the forced job until the helper ran items beside a caller alone (no second worker of the plan's): then returns
    // that run. retry: whether a run the helper joined still does not show what the test needs. tiny: keep only a run planned
    // Tiny (the caller's item 1 waits for the helper's first item: on a loaded machine that wait can read as blocking).
    private static async Task<(RunResult<int> Result, AutoRunOutcome Outcome, JoinJob Job)> JoinedRunAsync(
        Action<JoinItem> extra, Func<JoinJob, bool>? retry = null, bool tiny = false)
    {
        var outcomes = new List<AutoRunOutcome>();
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, TinyJoin = true, OnFinished = outcomes.Add });
        var seen = new List<string>();
        for (var run = 0; run < Tries; run++)
        {
            var job = new JoinJob(extra);
            var result = await Runner.MapAsync(Enumerable.Range(0, Count).ToArray(), job.Item, new RunOptions { Engine = engine }).WaitAsync(Bound);
            Assert.Equal(0, Volatile.Read(ref job.Running));
            Assert.All(Enumerable.Range(0, Count), i => Assert.Equal(1, job.Calls[i]));
            var outcome = outcomes[^1];
            seen.Add($"{job.HelperItems()} on the helper, {outcome.Workers.Count} workers, {outcome.Decision?.Class}, {result.Report.Plan}");
            if (outcome.Helper is { } helper && helper.Totals.Items > 0 && outcome.Workers.Count == 1
                && (!tiny || outcome.Decision?.Class == WorkloadClass.Tiny) && !(retry?.Invoke(job) ?? false))
            {
                return (result, outcome, job);
            }
        }

        Assert.Fail($"the helper joined no run as needed: {string.Join(" | ", seen)}");
        return default;
    }

    private readonly record struct JoinItem(int Index, bool OnHelper, bool FirstOnHelper, bool SecondOnHelper);

    // The job's items: count their calls and threads; the caller is item 0's thread, every other thread is the helper's (the
    // run is kept only when it had no second worker). The caller's item 1 waits for the helper's first item (bounded).
    private sealed class JoinJob(Action<JoinItem> extra)
    {
        public readonly int[] Calls = new int[Count];
        public readonly bool[] OnHelper = new bool[Count];
        public int Running;
        public int After;
        public long Returned;
        public volatile bool Ended;
        private readonly object _gate = new();
        private bool _helperRan;
        private int _caller = -1;
        private int _onHelper;

        public long HelperItems() => OnHelper.Count(x => x);

        public int Item(int i)
        {
            Interlocked.Increment(ref Running);
            try
            {
                if (Ended)
                {
                    Interlocked.Increment(ref After);
                }

                Interlocked.Increment(ref Calls[i]);
                var thread = Environment.CurrentManagedThreadId;
                if (i == 0)
                {
                    Volatile.Write(ref _caller, thread);
                }

                var onHelper = i != 0 && thread != Volatile.Read(ref _caller);
                var nth = 0;
                if (onHelper)
                {
                    OnHelper[i] = true;
                    nth = Interlocked.Increment(ref _onHelper);
                    lock (_gate)
                    {
                        _helperRan = true;
                        Monitor.PulseAll(_gate);
                    }
                }
                else if (i == 1)
                {
                    lock (_gate)
                    {
                        if (!_helperRan)
                        {
                            Monitor.Wait(_gate, TimeSpan.FromSeconds(2));
                        }
                    }
                }

                extra(new JoinItem(i, onHelper, nth == 1, nth == 2));
                Interlocked.Increment(ref Returned);
                return Value(i);
            }
            finally
            {
                if (Ended)
                {
                    Interlocked.Increment(ref After);
                }

                Interlocked.Decrement(ref Running);
            }
        }
    }
}
