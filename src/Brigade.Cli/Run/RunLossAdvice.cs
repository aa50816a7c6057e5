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
}
