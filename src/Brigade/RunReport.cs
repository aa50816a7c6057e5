using System.Globalization;
using Brigade.Reporting;

namespace Brigade;

/// <summary>What a run did and what it cost: items, failures, wall and CPU time, speedup, and a timeline.</summary>
/// <remarks>
/// <para><b>Speedup</b> compares the run with a sequential estimate: the sum of the time workers spent running
/// batches (<see cref="BusyTime"/>), which is what one worker would have needed if items do not slow each other
/// down. Compare with a measured sequential run through <see cref="SpeedupOver(RunReport)"/> when you have one.</para>
/// <para><b>The one-line summary (<see cref="ToString"/>) says what its speedup is over.</b> Where the run measured its
/// workers' waits for a core (Linux), it shows <see cref="RunLosses.Speedup"/>, <c>over one worker on an idle machine</c>,
/// the figure <see cref="Explain"/> gives on its next line; elsewhere <see cref="Speedup"/>, <c>over the items' busy
/// time</c>. Before report 69 it showed <see cref="Speedup"/> unqualified: on a busy machine "speedup 1.05" for a run
/// 2.3 times slower than a plain loop, beside Explain's "speedup 0.11 over one worker on an idle machine".</para>
/// <para><b>Speedup and <see cref="Losses"/> count waiting for a core differently, on purpose.</b> The busy time counts
/// a batch's whole wall time, including the time its thread waited in the run queue for a core (other processes, or
/// more threads than cores): so <see cref="Speedup"/> is the average number of workers busy, which matches a
/// sequential run on the same machine as loaded, but overstates work done when the run had more CPU-bound threads
/// than cores (64 threads on 2 cores show a speedup near 64). <see cref="Losses"/> counts that wait as lost (waiting for
/// a core): <see cref="RunLosses.Speedup"/> is the speedup over one worker on an idle machine, and its efficiency is
/// lower than <see cref="Efficiency"/> by the run-queue share. Use <see cref="RunLosses.Speedup"/> to compare with
/// <see cref="RunLosses.Forecast"/> or across machines and loads.</para>
/// <para><b>Efficiency</b> is the speedup divided by the number of workers that ran at once: 1.0 means every worker was busy
/// for the whole run.</para>
/// <para><b>The sequential engine is the baseline</b>, not a run to compare with it: its <see cref="Speedup"/> is the share
/// of the wall time its one worker spent in batches (what it did not spend there went to taking items, bookkeeping and
/// the run's start and end, which a baseline pays too), so <see cref="ToString"/> shows it as <c>baseline, busy 14%</c>
/// rather than as a speedup below 1 over itself (review 29a, finding 7). <see cref="SpeedupOver(RunReport)"/> of a
/// sequential run over itself is 1.</para>
/// </remarks>
public sealed class RunReport
{
    private readonly string? _plan;
    private RunLosses? _losses;

    // The counts a stream's reader changes (ForDelivered): fields, so that its copy keeps every other property as it is.
    private long _succeeded;
    private long _failed;
    private long _notRun;
    private long _undelivered;
    private bool _cancelled;
    private bool _abandoned;
    private long _items;
    private RunStop? _stop;
    private IReadOnlyList<ItemFailure> _failures = [];

    internal RunReport()
    {
    }

    /// <summary>Gets the run's label, from <see cref="RunOptions.Label"/>.</summary>
    public string? Label { get; init; }

    /// <summary>Gets the name of the engine that ran the items, such as <c>threadpool</c>.</summary>
    public required string Engine { get; init; }

    /// <summary>Gets the one-line explanation of how the run was planned, when an engine chose its own settings.</summary>
    /// <remarks>Auto mode's line is formatted when first read, from figures taken at the run's end, so that a short run's
    /// caller does not wait for it; it reads the same whenever it is read.</remarks>
    public string? Plan
    {
        get => _plan ?? (Plans as Auto.AutoRunPlans)?.Line;
        init => _plan = value;
    }

    /// <summary>Gets the plans auto mode made for the run, in order: the first from a sample of the items (or the plan cache), then one per re-plan; empty for other engines.</summary>
    public IReadOnlyList<Auto.AutoPlan> Plans { get; init; } = [];

    /// <summary>Gets the silos a cluster run lost, with why (what its <see cref="Plan"/> says after "lost during the run",
    /// or "lost before the run stopped" when it stopped early: review 50); empty for every other run and for a run the
    /// cluster failed (its exception names them). <see cref="Losses"/> reads these, not the plan's text.</summary>
    internal IReadOnlyList<LostSilo> LostSilos { get; init; } = [];

    /// <summary>Gets the largest number of items allowed to run at once.</summary>
    public int DegreeOfParallelism { get; init; }

    /// <summary>Gets the batch size that was set, or <see langword="null"/> when batches were sized adaptively.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Gets the number of items in the run: those read from the input, plus those never read when the input's size is known.</summary>
    public long Items { get => _items; init => _items = value; }

    /// <summary>Gets the number of items whose work returned.</summary>
    public long Succeeded { get => _succeeded; init => _succeeded = value; }

    /// <summary>Gets the number of items whose work threw.</summary>
    public long Failed { get => _failed; init => _failed = value; }

    /// <summary>Gets the number of items that were never started because the run stopped; includes unread input when its size is known,
    /// and, for a stream its reader left or cancelled, the <see cref="Undelivered"/> items whose results the reader never received.</summary>
    public long NotRun { get => _notRun; init => _notRun = value; }

    /// <summary>Gets the number of items of a stream (<see cref="Runner.StreamAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, RunOptions?)"/>)
    /// that ran, but whose results its reader never received because it left (<see cref="Abandoned"/>) or cancelled first:
    /// counted in <see cref="NotRun"/>, not in <see cref="Succeeded"/> or <see cref="Failed"/>, nor listed in <see cref="Failures"/>.</summary>
    /// <remarks>Their work was done (side effects included): <see cref="BusyTime"/>, <see cref="Workers"/> and
    /// <see cref="Timeline"/> still count it. Always 0 for a stream read to its end and for every other operation.</remarks>
    public long Undelivered { get => _undelivered; init => _undelivered = value; }

    /// <summary>Gets whether the run was cancelled through its <see cref="CancellationToken"/>.</summary>
    public bool Cancelled { get => _cancelled; init => _cancelled = value; }

    /// <summary>Gets whether the reader of a stream left it before its end (<c>break</c>, an exception in its loop, disposing
    /// the enumerator), which stopped the run; <see langword="false"/> for a stream cancelled through its token
    /// (<see cref="Cancelled"/>) and for every other operation.</summary>
    /// <remarks><see cref="Succeeded"/> and <see cref="Failed"/> then count what the reader received; see <see cref="Undelivered"/>.</remarks>
    public bool Abandoned { get => _abandoned; init => _abandoned = value; }

    /// <summary>Gets whether the run stopped early because of <see cref="FailureMode.StopOnFirstFailure"/>.</summary>
    public bool StoppedOnFailure { get; init; }

    /// <summary>Gets what stopped the run before its end other than an item's failure or cancellation: the engine's failure
    /// (worker processes that could not start, a work type that could not be created in them, an engine disposed during the
    /// run, a cluster that became unavailable) or the input's (<see cref="SourceFailedException"/>);
    /// <see langword="null"/> when the run was not stopped by an error.</summary>
    /// <remarks>Set, the run is not a success (<see cref="IsSuccess"/>): the items it had not finished are in
    /// <see cref="NotRun"/>. <see cref="Runner.MapAsync{TIn, TOut}(IEnumerable{TIn}, Func{TIn, TOut}, RunOptions?, CancellationToken)"/>,
    /// <c>ForEachAsync</c> and <c>MapReduceAsync</c> throw it inside a <see cref="RunFailedException"/> with this report (review 45);
    /// a stream's reader gets it as it is, and the report on <see cref="RunStream{T}.Report"/>.</remarks>
    public Exception? Error { get; internal init; }

    /// <summary>Gets how many items the run abandoned still running (an asynchronous item that ignored the run's
    /// cancellation for a second after it, or its <see cref="RunOptions.ItemTimeout"/>), delivered or not: a stream's
    /// report lists only the failures its reader received (<see cref="RunCanceledException"/>'s message names them).</summary>
    internal int AbandonedItems { get; init; }

    /// <summary>Gets how many items were stopped unfinished with the worker process running them (a cancelled run whose
    /// worker outlived the grace period); they count as not run.</summary>
    internal long StoppedItems { get; init; }

    /// <summary>Gets what went wrong with the <see cref="RunOptions.Progress"/> callback: the first exception it threw, or a
    /// <see cref="TimeoutException"/> when a call was still running 2 s after the run's end and the run returned without
    /// waiting for it; <see langword="null"/> when every call returned.</summary>
    /// <remarks>A progress callback is a display, not part of the work: the run goes on when it throws, and its results and
    /// counts are whole (<see cref="IsSuccess"/> does not look at this). <see cref="ToString"/> names it.</remarks>
    public Exception? ProgressError { get; internal init; }

    /// <summary>Gets how many calls of the progress callback threw.</summary>
    internal int ProgressFailures { get; init; }

    /// <summary>Gets a sentence on a read of the input the run left behind still blocked after its caller left (an
    /// <see cref="IEnumerable{T}"/> whose <c>MoveNext</c> did not return); null when none was.</summary>
    internal string? InputLeftBehind { get; init; }

    /// <summary>Gets a few words on <see cref="InputLeftBehind"/>, for <see cref="ToString"/>.</summary>
    internal string? InputLeftBehindBrief { get; init; }

    /// <summary>Gets the longest an ordered stream's delivery waited for one item while finished results after it were held
    /// (<see cref="TimeSpan.Zero"/> for other runs, and for an ordered stream that never held one back).</summary>
    /// <remarks>The summary (<see cref="ToString"/>) names it from one second up: a reader that saw nothing for a while
    /// learns it was this item, not the run, that was slow. Live, <see cref="RunProgress.OrderedWaitItem"/> says it.</remarks>
    public TimeSpan LongestOrderedWait { get; init; }

    /// <summary>Gets the item of <see cref="LongestOrderedWait"/>, or <see langword="null"/>.</summary>
    public long? LongestOrderedWaitItem { get; init; }

    /// <summary>Gets when the run started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets the run's wall-clock duration.</summary>
    /// <remarks>From the run's start to the end of its work (the workers done, the input disposed): the time the items took, which
    /// <see cref="Speedup"/> and <see cref="Efficiency"/> divide by. Making this report comes after it and is not included:
    /// with <see cref="RunOptions.CollectTimeline"/> that is mostly merging the workers' <see cref="Timeline"/>, about half
    /// a microsecond per event (review 72: 100,000 one-item batches on four threads, 40-60 ms; it was 100-130 ms, and up to
    /// 0.8 s on a loaded machine, when every event was sorted). A stopwatch around the call therefore reads a little more
    /// than this on runs of many fine-grained batches; runs without a timeline differ by the call's own few milliseconds.</remarks>
    public TimeSpan WallTime { get; init; }

    /// <summary>Gets the CPU time the whole process used during the run (all threads, not only the run's), plus the CPU time
    /// the run's items reported using outside it through <see cref="Auto.ExternalCpuTime"/> (child processes, such as
    /// <c>brigade run</c>'s commands, which the process's own clock does not count).</summary>
    public TimeSpan ProcessCpuTime { get; init; }

    /// <summary>Gets the CPU time the run's workers used, summed over workers, including what their items reported through
    /// <see cref="Auto.ExternalCpuTime"/>, when every batch could be measured.</summary>
    public TimeSpan? WorkerCpuTime { get; init; }

    /// <summary>Gets the wall time workers spent running batches, summed over workers: the sequential estimate.</summary>
    public TimeSpan BusyTime { get; init; }

    /// <summary>Gets the number of batches the run was split into.</summary>
    public long Batches { get; init; }

    /// <summary>Gets what each worker did.</summary>
    public IReadOnlyList<WorkerReport> Workers { get; init; } = [];

    /// <summary>Gets the batches in order of start time, unless <see cref="RunOptions.CollectTimeline"/> was off.</summary>
    public IReadOnlyList<TimelineEvent> Timeline { get; init; } = [];

    /// <summary>Gets whether the timeline stopped recording at <see cref="RunOptions.MaxTimelineEvents"/>.</summary>
    public bool TimelineTruncated { get; init; }

    /// <summary>Gets every failed item, in index order.</summary>
    public IReadOnlyList<ItemFailure> Failures { get => _failures; init => _failures = value; }

    /// <summary>Gets why the run was not faster: the gap between every worker busy for the whole run and the useful time, by cause.</summary>
    /// <remarks>Computed on first use from figures the run already collected (see <see cref="RunLosses"/>); the causes sum to the gap.</remarks>
    public RunLosses Losses => LossBreakdown.TimingLocksAfter(LossesUntimed);

    // The losses, computed once, without starting the timing of plain lock waits: what ToString's headline reads.
    private RunLosses LossesUntimed => _losses ??= LossBreakdown.ComputeUntimed(this, Counters, LossBreakdown.CallerKeepsEngine);

    /// <summary>Gets the process-wide counters' gains during the run (GC pauses, lock waits), for <see cref="Losses"/>.</summary>
    internal Internal.LossProbe Counters { get; init; }

    /// <summary>Gets the most workers that ran at the same time: each worker that ran a batch counts from its first batch's
    /// start to its last batch's end, and a worker that starts after another ended takes its place.</summary>
    /// <remarks>Auto mode retires loops when it re-plans and starts others: they are not counted twice, so this never exceeds
    /// <see cref="RunOptions.MaxDegreeOfParallelism"/> (review 29a, finding 7: a run capped at 3 read 5). Workers whose
    /// batch times are not known (a report made by hand) each count as running the whole run. <see cref="Workers"/> lists
    /// every worker the run had.</remarks>
    public int WorkerCount => LossBreakdown.ConcurrentWorkers(Workers);

    /// <summary>Gets the wall time one worker would need for the same items: <see cref="BusyTime"/>.</summary>
    public TimeSpan SequentialEstimate => BusyTime;

    /// <summary>Gets the width the run could use: <see cref="DegreeOfParallelism"/>, but never more than its items (at least 1).</summary>
    /// <remarks>A run over an input of known size is given at most one worker per item when it starts; a lazy input's size
    /// is not known then, so its <see cref="DegreeOfParallelism"/> is the width asked for, <see cref="int.MaxValue"/> included
    /// (review 45: "×2147483647" in the summary). Summaries, traces and HTML reports show this, the same for both inputs;
    /// <see cref="Losses"/> keeps the width asked for (workers a lazy run was given but could not use are its loss).</remarks>
    internal int UsableWidth => (int)Math.Min(DegreeOfParallelism, Math.Max(1, Items));

    /// <summary>Gets the width a run is shown with (the summary, the HTML report, the trace, <c>brigade run</c>'s last line):
    /// the larger of <see cref="UsableWidth"/> and <see cref="WorkerCount"/> (auto mode's last plan can be narrower than
    /// the workers that ran at once). One rule, so that no two views of one run disagree (review 46).</summary>
    internal int ShownWidth => Math.Max(UsableWidth, WorkerCount);

    /// <summary>Gets <see cref="SequentialEstimate"/> divided by <see cref="WallTime"/>: the average number of workers busy, run-queue waits included (see the remarks on the class, and <see cref="RunLosses.Speedup"/>).</summary>
    /// <remarks>On <see cref="Brigade.Engine.Sequential"/>, the baseline, this is its worker's busy share (at most 1), not a
    /// speedup: <see cref="ToString"/> shows it as <c>busy</c>.</remarks>
    public double Speedup => WallTime > TimeSpan.Zero ? BusyTime / WallTime : 1.0;

    /// <summary>Gets <see cref="Speedup"/> divided by <see cref="WorkerCount"/>, the most workers that ran at once.</summary>
    public double Efficiency => WorkerCount > 0 ? Speedup / WorkerCount : 0.0;

    /// <summary>Returns a copy of this report that counts, as <see cref="Succeeded"/> and <see cref="Failed"/>, only the results a
    /// stream's reader received: the others are <see cref="Undelivered"/> and counted in <see cref="NotRun"/>.</summary>
    /// <param name="succeeded">How many successes the reader received.</param>
    /// <param name="failed">The indices of the failures the reader received.</param>
    /// <param name="abandoned">Whether the reader left the stream; <see langword="false"/>: it cancelled it through its token.</param>
    internal RunReport ForDelivered(long succeeded, IReadOnlySet<long> failed, bool abandoned)
    {
        var failures = Failures.Count == failed.Count ? Failures : Failures.Where(f => failed.Contains(f.Index)).ToArray();
        var undelivered = Succeeded - succeeded + Failed - failures.Count;
        var copy = (RunReport)MemberwiseClone();
        copy._losses = null; // figured from the counts set here
        copy._succeeded = succeeded;
        copy._failed = failures.Count;
        copy._notRun = NotRun + undelivered;
        copy._undelivered = Undelivered + undelivered;

        // A reader that cancelled through its token stopped the run, whether or not the engine saw the token before the
        // stream's own stop (which came first is a race).
        copy._cancelled = Cancelled || !abandoned;
        copy._abandoned = abandoned;
        copy._failures = failures;
        return copy;
    }

    /// <summary>What the headline figure is: no item ran, the sequential baseline's busy share, or a speedup.</summary>
    internal enum HeadlineKind
    {
        NoItemRan,
        Baseline,
        Speedup,
    }

    /// <summary>The headline speedup, efficiency and what the speedup is over: one choice, shown alike by <see cref="ToString"/>
    /// (and so <see cref="Explain"/>) and the HTML report (report 72: the page showed <see cref="Speedup"/>, 13.87×, of a run the
    /// summary gave 0.22 over one worker on an idle machine).</summary>
    /// <param name="Kind">What the figure is.</param>
    /// <param name="Speedup">The speedup (for the baseline, its busy share).</param>
    /// <param name="Efficiency">The speedup per worker.</param>
    /// <param name="Over">What the speedup is over, in words.</param>
    /// <param name="Workers">The workers the efficiency divides by.</param>
    internal readonly record struct RunHeadline(HeadlineKind Kind, double Speedup, double Efficiency, string Over, int Workers)
    {
        /// <summary>Gets what the efficiency is: "that speedup ÷ 4 workers".</summary>
        public string PerWorker => string.Create(CultureInfo.InvariantCulture, $"that speedup ÷ {Workers} {(Workers == 1 ? "worker" : "workers")}");
    }

    /// <summary>How a run stopped before its end, and what of it was done.</summary>
    /// <param name="How">How it stopped: "cancelled", "interrupted", "abandoned by its reader"...</param>
    /// <param name="Done">What was done: "24 of 60 items done, 36 not done".</param>
    internal readonly record struct RunStop(string How, string Done)
    {
        /// <summary>Returns "how: done".</summary>
        public override string ToString() => $"{How}: {Done}";
    }

    /// <summary>Gets the headline: the losses' speedup where they have an ideal to break down (over one worker on an idle
    /// machine where the waits for a core were measured, else saying they were not); the busy time's only where they have none.</summary>
    internal RunHeadline Headline
    {
        get
        {
            // A run in which no item ran (an empty input; cancelled or stopped before its first item) has no speedup to show:
            // its busy time is nothing, and "speedup 0.00" read as a run that went nowhere (review 40).
            if (Succeeded + Failed == 0 && BusyTime == TimeSpan.Zero)
            {
                return new(HeadlineKind.NoItemRan, 0, 0, string.Empty, WorkerCount);
            }

            if (IsBaseline)
            {
                return new(HeadlineKind.Baseline, Speedup, Speedup, "busy", 1);
            }

            if (WorkerCount > 0 && LossesUntimed.Ideal > TimeSpan.Zero)
            {
                var losses = LossesUntimed;
                return new(HeadlineKind.Speedup, losses.Speedup, losses.Speedup / WorkerCount, losses.SpeedupOver, WorkerCount);
            }

            return new(HeadlineKind.Speedup, Speedup, Efficiency, OverBusyTime, WorkerCount);
        }
    }

    /// <summary>Gets how the run stopped before its end (cancelled, interrupted, abandoned, stopped at a failure or by an
    /// error) and what of it was done, for the HTML report and the trace (report 72: a cancelled run's page said "Not run 36"
    /// and nothing of why); <see langword="null"/> for a run that reached its end.</summary>
    internal RunStop? Stop => _stop ?? DefaultStop();

    private RunStop? DefaultStop()
    {
        var how = Abandoned ? "abandoned by its reader"
            : Cancelled ? "cancelled"
            : StoppedOnFailure ? "stopped at the first failure"
            : Error is { } error ? $"stopped by {error.GetType().Name}"
            : null;
        return how is null ? null : new RunStop(how, string.Create(CultureInfo.InvariantCulture, $"{Succeeded + Failed:N0} of {Items:N0} items done, {NotRun:N0} not run"));
    }

    /// <summary>Returns a copy of this report for a run its caller interrupted (<c>brigade run</c> on Ctrl+C): cancelled, its
    /// items and not-run counts the caller's (the input's lines, known or read so far), and <paramref name="done"/> said
    /// on its HTML page and trace after "interrupted".</summary>
    /// <param name="items">The run's items as its caller counts them.</param>
    /// <param name="notRun">Those of them not done.</param>
    /// <param name="done">What was done, in a few words ("24 of 60 items done, 36 not done").</param>
    internal RunReport Interrupted(long items, long notRun, string done)
    {
        var copy = (RunReport)MemberwiseClone();
        copy._items = items;
        copy._notRun = notRun;
        copy._cancelled = true;
        copy._stop = new RunStop("interrupted", done);
        return copy;
    }

    // What the summary's speedup is over where the losses have none (RunLosses.SpeedupOver says it where they have).
    private const string OverBusyTime = "over the items' busy time";

    /// <summary>Gets whether the run is the baseline speedups are measured against: it ran on <see cref="Brigade.Engine.Sequential"/>.</summary>
    internal bool IsBaseline => string.Equals(Engine, Brigade.Engine.Sequential.Name, StringComparison.Ordinal);

    /// <summary>Gets whether every item read from the input succeeded, none was left unrun and no error stopped the run.</summary>
    public bool IsSuccess => Failed == 0 && NotRun == 0 && !Cancelled && Error is null;

    /// <summary>Gets how much faster this run was than a measured baseline run.</summary>
    /// <param name="baseline">A run of the same items, typically on <see cref="Brigade.Engine.Sequential"/>.</param>
    /// <returns>The baseline's wall time divided by this run's.</returns>
    public double SpeedupOver(RunReport baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return WallTime > TimeSpan.Zero ? baseline.WallTime / WallTime : 1.0;
    }

    /// <summary>Throws <see cref="RunFailedException"/> when any item failed or was not run.</summary>
    /// <exception cref="RunFailedException">The run did not complete every item.</exception>
    public void ThrowIfFailed()
    {
        if (!IsSuccess)
        {
            throw new RunFailedException(this);
        }
    }

    /// <summary>Returns the one-line summary followed by <see cref="Losses"/>: why the run was not faster, by cause, and what to change.</summary>
    /// <returns>Several lines of text.</returns>
    public string Explain() => ToString() + Environment.NewLine + Losses;

    /// <summary>Returns a one-line summary, such as <c>threadpool ×2: 1,000 items in 0.512 s, cpu 1.01 s, speedup 1.96 over one worker on an idle machine, efficiency 98%, 0 failed</c>
    /// (the speedup of <see cref="Losses"/>, as <see cref="Explain"/> gives it, where the run measured its workers' waits for
    /// a core; elsewhere <see cref="Speedup"/>, <c>speedup 1.96 over the items' busy time</c>);
    /// for the sequential engine, the baseline, <c>sequential ×1: 1,000 items in 1.003 s, cpu 1.00 s, baseline, busy 98%, 0 failed</c>;
    /// for a run in which no item ran, <c>threadpool ×1: 0 items in 0.000 s, cpu 0.00 s, no item ran, 0 failed</c>. The width
    /// is the larger of <see cref="DegreeOfParallelism"/> (never more than the items) and <see cref="WorkerCount"/> (auto
    /// mode's last plan can be narrower than the workers that ran at once).</summary>
    public override string ToString()
    {
        var label = Label is null ? string.Empty : $" [{Label}]";
        var inv = CultureInfo.InvariantCulture;
        // A run in which no item ran (an empty input; cancelled or stopped before its first item) has no speedup to show:
        // its busy time is nothing, and "speedup 0.00" read as a run that went nowhere (review 40).
        // A speedup says what it is over (report 69), and it is the losses' speedup, the one Explain() gives next, in the same
        // words (review 70: the busy time's, "3.79 over the items' busy time", counted the items' time in a one-at-a-time
        // server's queue as work, and Explain() called the same figure "over one worker on an idle machine"): over one
        // worker on an idle machine where the waits for a core were measured, else saying they were not. The busy time's
        // only where the losses have nothing to break down.
        var headline = Headline;
        var rate = headline.Kind switch
        {
            HeadlineKind.NoItemRan => "no item ran",
            HeadlineKind.Baseline => string.Create(inv, $"baseline, busy {headline.Speedup * 100:0}%"),
            _ => string.Create(inv, $"speedup {headline.Speedup:0.00} {headline.Over}, efficiency {headline.Efficiency * 100:0}% ({headline.PerWorker})"),
        };
        var s = string.Create(inv,
            $"{Engine} ×{ShownWidth}{label}: {Items:N0} items in {WallTime.TotalSeconds:0.000} s, cpu {ProcessCpuTime.TotalSeconds:0.00} s, {rate}, {Failed} failed");
        if (NotRun > 0)
        {
            s += Undelivered > 0 ? $", {NotRun} not run ({Undelivered} of them ran, their results not delivered)" : $", {NotRun} not run";
        }

        if (Abandoned)
        {
            s += ", abandoned by its reader";
        }

        if (LongestOrderedWaitItem is { } waitedFor && LongestOrderedWait >= TimeSpan.FromSeconds(1))
        {
            s += string.Create(inv, $", ordered delivery waited {LongestOrderedWait.TotalSeconds:0.0} s for item {waitedFor:N0}");
        }

        if (InputLeftBehindBrief is { } leftBehind)
        {
            s += ", " + leftBehind;
        }

        if (ProgressError is { } progressError)
        {
            var message = Internal.ExceptionText.Message(progressError).ReplaceLineEndings(" ");
            s += progressError is TimeoutException && ProgressFailures == 0
                ? ", progress callback still running at the run's end (not waited for)"
                : $", progress callback threw {progressError.GetType().Name}{(ProgressFailures > 1 ? $" ({ProgressFailures} calls, the first)" : "")}: {(message.Length > 200 ? string.Concat(message.AsSpan(0, 200), "…") : message)}";
        }

        if (Error is { } error)
        {
            // One line: the message's first 200 characters (the whole exception is on Error).
            var message = Internal.ExceptionText.Message(error).ReplaceLineEndings(" ");
            s += $", stopped by {error.GetType().Name}: {(message.Length > 200 ? string.Concat(message.AsSpan(0, 200), "…") : message)}";
        }

        return s;
    }
}
