namespace Brigade.Cli.Run;

/// <summary>
/// The library's "why not faster" advice in the words of <c>brigade run</c>: the library's advice names
/// <c>RunOptions.BatchSize</c>, which <c>brigade run</c> has no option for (review 56: a 100,000-line run was told "raise
/// BatchSize"). Each phrase that names it is replaced with what a user of the command can do.
/// </summary>
internal static class RunLossAdvice
{
    /// <summary>The library's phrases naming <c>BatchSize</c> (src/Brigade/Reporting/LossBreakdown.cs; a test checks they
    /// are still there) and what <c>brigade run</c> says instead.</summary>
    internal static readonly (string Library, string Run)[] Phrases =
    [
        ("raise BatchSize or give each item more work", "give each command more work (every line starts a process)"),
        ("send larger batches (BatchSize), or run small items on threads where they need no transport", "give each command more work, or run small commands on this machine, where they need no transport"),
        ("use smaller batches (BatchSize) or split large items", "split large items or sort them largest first"),
        (", and smaller batches (BatchSize) lose less when one does", ""),
    ];

    /// <summary>Returns <paramref name="summary"/> with the library's batch-size advice replaced.</summary>
    /// <param name="summary">The run's <c>RunLosses.Summary</c>.</param>
    /// <returns>The advice for <c>brigade run</c>.</returns>
    public static string ForRun(string summary)
    {
        foreach (var (library, run) in Phrases)
        {
            summary = summary.Replace(library, run, StringComparison.Ordinal);
        }

        return summary;
    }
}
