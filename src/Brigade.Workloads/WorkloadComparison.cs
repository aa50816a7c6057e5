using Brigade.Auto;

namespace Brigade.Workloads;

/// <summary>Auto mode against hand-picked engines on one workload, measured side by side in one process.</summary>
internal sealed class WorkloadComparison
{
    private WorkloadComparison(Workload workload, ConfigurationResult auto, IReadOnlyList<ConfigurationResult> alternatives, IReadOnlyList<TimeSpan> autoUnmeasured)
    {
        Workload = workload;
        Auto = auto;
        Alternatives = alternatives;
        AutoUnmeasured = autoUnmeasured;
    }

    public Workload Workload { get; }

    public ConfigurationResult Auto { get; }

    public IReadOnlyList<ConfigurationResult> Alternatives { get; }

    /// <summary>Gets auto's wall times in the unmeasured rounds (see <c>unmeasuredRounds</c> of <see cref="RunAsync"/>), in order; empty without them.</summary>
    public IReadOnlyList<TimeSpan> AutoUnmeasured { get; }

    /// <summary>Gets the fastest hand-picked configuration (by median wall time).</summary>
    public ConfigurationResult Best => Alternatives.MinBy(a => a.Median)!;

    /// <summary>Gets auto's median wall time over the best hand-picked one's: 1.0 means as fast.</summary>
    public double Ratio => Best.Median > TimeSpan.Zero ? Auto.Median / Best.Median : 1.0;

    /// <summary>Gets the plans of auto's median run (the first from the sample, then re-plans).</summary>
    public IReadOnlyList<AutoPlan> Plans => Auto.Report.Plans;

    /// <summary>Gets the class auto ended with.</summary>
    public WorkloadClass MeasuredClass => Plans.Count > 0 ? Plans[^1].Class : WorkloadClass.Unknown;

    /// <summary>Gets whether auto measured the class the workload is labelled with (and, for a changing workload, started with the first class).</summary>
    public bool ClassMatches => MeasuredClass == Workload.ExpectedClass &&
        (Workload.ExpectedFirstClass is not { } first || (Plans.Count > 1 && Plans[0].Class == first));

    // Guards the one-time warm-up of auto mode's own code in this process.
    private static readonly Lock WarmUpGate = new();
    private static Task? _autoWarmUp;

    /// <summary>
    /// Runs auto mode once on short sleeping, computing and asynchronous jobs, so that no measured run pays for
    /// compiling auto mode's sampling and decision code (the CLI runs without tiered compilation, where that is
    /// tens of milliseconds). Every engine's code is compiled before it is measured; this does it for auto mode.
    /// </summary>
    public static Task WarmUpAutoAsync(Engine auto, CancellationToken cancellationToken = default)
    {
        lock (WarmUpGate)
        {
            if (_autoWarmUp is { IsFaulted: true } or { IsCanceled: true })
            {
                _autoWarmUp = null;
            }

            return _autoWarmUp ??= WarmUpCoreAsync(auto, cancellationToken);
        }
    }

    private static async Task WarmUpCoreAsync(Engine auto, CancellationToken cancellationToken)
    {
        var options = new RunOptions { Engine = auto, Label = "warm-up" };
        _ = await Runner.MapAsync(Enumerable.Range(0, 24).ToArray(), i => { Thread.Sleep(2); return i; }, options, cancellationToken).ConfigureAwait(false);
        _ = await Runner.MapAsync(Enumerable.Range(0, 20_000).ToArray(), i => Work.Hash(i, 2_000), options, cancellationToken).ConfigureAwait(false);
        _ = await Runner.MapAsync(Enumerable.Range(0, 64).ToArray(), async (i, ct) => { await Task.Delay(2, ct).ConfigureAwait(false); return i; }, options, cancellationToken).ConfigureAwait(false);
        _ = await Runner.MapAsync(Enumerable.Range(0, 200).ToArray(), i => i + 1, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A workload whose fastest first run is this short is repeated at least <see cref="ShortRunRepetitions"/> times: the median of a few sub-millisecond runs is mostly scheduler noise.</summary>
    public static readonly TimeSpan ShortRun = TimeSpan.FromMilliseconds(10);

    /// <summary>The fewest repetitions of a workload whose fastest first run took less than <see cref="ShortRun"/>.</summary>
    public const int ShortRunRepetitions = 31;

    /// <summary>Creates the auto engine comparisons use: no plan cache, so every auto run includes its sampling.</summary>
    public static Engine CreateAutoEngine() => Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false });

    /// <summary>Runs auto and the hand-picked alternatives, interleaved, <paramref name="repetitions"/> times each.</summary>
    /// <param name="workload">The workload.</param>
    /// <param name="auto">The auto engine (see <see cref="CreateAutoEngine"/>).</param>
    /// <param name="repetitions">Runs per configuration, at least <see cref="ShortRunRepetitions"/> when the fastest first run took less than <see cref="ShortRun"/>; the median counts.</param>
    /// <param name="alternatives">How many of the hand-picked alternatives to run, in order (the first is the expert's pick).</param>
    /// <param name="onRun">Called after each run, for live output.</param>
    /// <param name="unmeasuredRounds">Rounds of every configuration run first and left out of the medians (review 65b: a user's
    /// work allocating 200 × 1 MB strings ran its first measured round in 1.4 s against 0.01-1.1 s later, the process's heap
    /// still growing); their checks are the measured runs' (a failed run throws).</param>
    /// <param name="cancellationToken">Stops between runs.</param>
    public static async Task<WorkloadComparison> RunAsync(Workload workload, Engine auto, int repetitions, int alternatives, Action<string, RunReport>? onRun = null, int unmeasuredRounds = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        await WarmUpAutoAsync(auto, cancellationToken).ConfigureAwait(false);
        await workload.WarmUpAsync(cancellationToken).ConfigureAwait(false);

        var picks = workload.HandPicked.Take(Math.Max(1, alternatives)).ToList();
        var labels = new List<string> { "auto" };
        labels.AddRange(picks.Select(p => p.Label));
        var walls = labels.Select(_ => new List<TimeSpan>()).ToList();
        var reports = labels.Select(_ => new List<RunReport>()).ToList();
        var autoUnmeasured = new List<TimeSpan>();
        for (var u = 0; u < unmeasuredRounds; u++)
        {
            for (var k = 0; k < labels.Count; k++)
            {
                var i = (k + u) % labels.Count;
                var report = await RunOnceAsync(i).ConfigureAwait(false);
                if (i == 0)
                {
                    autoUnmeasured.Add(report.WallTime);
                }
            }
        }

        var rounds = repetitions;
        for (var r = 0; r < rounds; r++)
        {
            // Rotate the order each repetition so that a slow neighbour or a GC does not always hit the same configuration.
            for (var k = 0; k < labels.Count; k++)
            {
                var i = (k + r) % labels.Count;
                var report = await RunOnceAsync(i).ConfigureAwait(false);
                walls[i].Add(report.WallTime);
                reports[i].Add(report);
                onRun?.Invoke(labels[i], report);
            }

            if (r == 0 && walls.Min(w => w[0]) < ShortRun)
            {
                rounds = Math.Max(rounds, ShortRunRepetitions);
            }
        }

        async Task<RunReport> RunOnceAsync(int i)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var options = i == 0 ? new RunOptions { Engine = auto, Label = workload.Id } : picks[i - 1].Options(workload.Id);
            var report = await workload.RunAsync(options, cancellationToken).ConfigureAwait(false);
            if (!report.IsSuccess)
            {
                throw new InvalidOperationException($"{workload.Id} on {labels[i]}: {report.Failed} failed, {report.NotRun} not run" +
                    (report.Failures.Count > 0 ? $": {report.Failures[0].Exception.Message}" : ""));
            }

            return report;
        }

        ConfigurationResult Result(int i)
        {
            var median = walls[i].Order().ElementAt(walls[i].Count / 2);
            return new ConfigurationResult(labels[i], walls[i], reports[i].First(x => x.WallTime == median));
        }

        return new WorkloadComparison(workload, Result(0), [.. Enumerable.Range(1, picks.Count).Select(Result)], autoUnmeasured);
    }
}
