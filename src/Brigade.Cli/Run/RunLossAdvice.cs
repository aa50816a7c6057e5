using System.Globalization;
using Brigade.Reporting;

namespace Brigade.Cli.Run;

/// <summary>
/// The library's "why not faster" advice in the words of <c>brigade run</c>: the library's advice names
/// <c>RunOptions.BatchSize</c>, which <c>brigade run</c> has no option for (review 56: a 100,000-line run was told "raise
/// BatchSize"). Each phrase that names it is replaced with what a user of the command can do.
/// </summary>
internal static class RunLossAdvice
{
    /// <summary>The library's phrases naming <c>BatchSize</c> (src/Brigade/Reporting/LossBreakdown.cs; a test checks they
    /// are still there), what <c>brigade run --exec</c> says instead (every line starts a process), and what a run of a work
    /// type (<c>--assembly/--work</c>) says (review 57: a cluster run of a work type was told "give each command more
    /// work"; it runs no command).</summary>
    internal static readonly (string Library, string Commands, string Items)[] Phrases =
    [
        ("raise BatchSize or give each item more work", "give each command more work (every line starts a process)", "give each item more work"),
        ("send larger batches (BatchSize), or run small items on threads where they need no transport", "give each command more work, or run small commands on this machine, where they need no transport", "give each item more work, or run small items on this machine's threads (--engine threads), where they need no transport"),
        ("use smaller batches (BatchSize) or split large items", "split large items or sort them largest first", "split large items or sort them largest first"),
        (", and smaller batches (BatchSize) lose less when one does", "", ""),

        // The library's API names, which brigade run's user cannot set (run63: "use at most 2 (MaxDegreeOfParallelism, or
        // Engine.ThreadPool; brigade run --jobs 2)", "(the plan cache, on unless AutoEngineOptions.UsePlanCache is off)").
        ("(MaxDegreeOfParallelism, or Engine.ThreadPool; brigade run --jobs ", "(--jobs ", "(--jobs "),
        ("(RunOptions.Engine and MaxDegreeOfParallelism; brigade run --engine, --jobs)", "(--engine, --jobs)", "(--engine, --jobs)"),
        ("(the plan cache, on unless AutoEngineOptions.UsePlanCache is off)", "(brigade keeps auto mode's plan for each command)", "(brigade keeps auto mode's plan for each work type)"),
        ("use fewer threads, or asynchronous work on Engine.Async for items that wait", "use fewer jobs, or --engine async for commands that wait", "use fewer jobs"),
        ("run items that block on Engine.Threads, or make them async and use Engine.Async (auto mode picks this)", "run commands that wait with --engine async (auto mode picks this)", "run items that block with --engine threads (auto mode picks this)"),
        (": MaxDegreeOfParallelism; brigade run --jobs)", ": --jobs)", ": --jobs)"),

        // Review 70's advice for blocking while plain-lock contention was counted: brigade run does not time plain locks, and
        // a command's locks are not counted in this process (the contentions counted are brigade's own).
        ("a lock is the likely wait, and more threads will not help it; hold locks for less time, or give each worker its own state (RunLosses.StartTimingPlainLocks() before the run times the waits)",
            "those are brigade's own locks, not the commands': run commands that wait with --engine async (auto mode picks this)",
            "a lock is the likely wait, and more threads will not help it; hold locks for less time, or give each worker its own state"),
    ];

    /// <summary>Returns <paramref name="summary"/> with the library's batch-size advice replaced.</summary>
    /// <param name="summary">The run's <c>RunLosses.Summary</c>.</param>
    /// <param name="commands">Whether the run's items are commands (<c>--exec</c>) rather than a work type's items.</param>
    /// <returns>The advice for <c>brigade run</c>.</returns>
    public static string ForRun(string summary, bool commands)
    {
        foreach (var (library, command, item) in Phrases)
        {
            summary = summary.Replace(library, commands ? command : item, StringComparison.Ordinal);
        }

        return summary;
    }

    /// <summary>Returns <paramref name="summary"/> with the start-up advice replaced by what a resumed run's start-up was, when
    /// most of it was reading the input again up to where the earlier run stopped and skipping what it had done (run63: two
    /// lines appended to a 20,000-line input, resumed, read "start-up 96% of the gap: workers started late: check for a slow
    /// input"; with <c>--engine threads</c>, "dedicated threads start one at a time: use fewer threads").</summary>
    /// <param name="summary">The run's <c>RunLosses.Summary</c>.</param>
    /// <param name="startUp">The run's start-up loss, if any.</param>
    /// <param name="width">The run's width (<c>RunLosses.Width</c>): each lane waited for the skip before its first item.</param>
    /// <param name="skipped">The items done before that this run read and skipped before its first item (0: not resumed).</param>
    /// <param name="skipping">How long reading and skipping them took, until the first item went to the engine.</param>
    /// <returns>The advice for <c>brigade run --resume</c>.</returns>
    public static string ForResumed(string summary, RunLoss? startUp, int width, long skipped, TimeSpan skipping)
    {
        // Every lane waited for the skip before its first item: the skip's share of the start-up is its time on each lane.
        if (skipped == 0 || startUp?.Advice is not { Length: > 0 } advice || skipping * Math.Max(1, width) * 2 < startUp.Time)
        {
            return summary;
        }

        var said = string.Create(CultureInfo.InvariantCulture,
            $"it read its input again up to where the earlier run stopped and skipped the {skipped:N0} {(skipped == 1 ? "item" : "items")} done then ({skipping.TotalSeconds:0.00} s before the first item ran; --resume does that, and a short resumed run is mostly it): not a slow input");
        return summary.Replace(advice, said, StringComparison.Ordinal);
    }
}
