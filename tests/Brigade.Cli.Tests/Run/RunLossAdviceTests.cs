using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

// Review 56: `brigade run` over 100,000 lines printed the library's "why not faster" advice "raise BatchSize", an option
// the command does not have. The CLI rewrites the library's batch-size phrases; these tests fail when the library's words
// change under it (the rewrite would silently stop) or when a rewrite still names BatchSize.
public sealed class RunLossAdviceTests
{
    private static readonly string LibrarySource = File.ReadAllText(Path.Combine(Repository.Root, "src", "Brigade", "Reporting", "LossBreakdown.cs"));

    [Fact]
    public void Every_rewritten_phrase_is_still_the_librarys()
    {
        Assert.All(RunLossAdvice.Phrases, p => Assert.Contains(p.Library, LibrarySource, StringComparison.Ordinal));
    }

    [Fact]
    public void No_advice_of_brigade_run_names_BatchSize()
    {
        var advised = LibrarySource.Split('\n').Where(l => l.Contains("BatchSize)", StringComparison.Ordinal) || l.Contains("raise BatchSize", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(advised);
        Assert.All(advised, line =>
        {
            Assert.DoesNotContain("BatchSize", RunLossAdvice.ForRun(line, commands: true), StringComparison.Ordinal);
            Assert.DoesNotContain("BatchSize", RunLossAdvice.ForRun(line, commands: false), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_summary_reads_in_the_commands_terms()
    {
        var summary = "52% of the ideal; lost to overhead: 1.2 s between batches (items are small for their dispatch cost: raise BatchSize or give each item more work)";
        Assert.Equal("52% of the ideal; lost to overhead: 1.2 s between batches (items are small for their dispatch cost: give each command more work (every line starts a process))", RunLossAdvice.ForRun(summary, commands: true));
    }

    // Review 57: a cluster run of a work type (400,000 squares, no command anywhere) was told "give each command more work,
    // or run small commands on this machine".
    [Fact]
    public void A_work_types_summary_speaks_of_items_not_commands()
    {
        var summary = "0% of the ideal; lost to overhead 90%, start-up 10%: overhead cost 90% of the gap: send larger batches (BatchSize), or run small items on threads where they need no transport";
        var advice = RunLossAdvice.ForRun(summary, commands: false);
        Assert.DoesNotContain("command", advice, StringComparison.Ordinal);
        Assert.EndsWith("give each item more work, or run small items on this machine's threads (--engine threads), where they need no transport", advice, StringComparison.Ordinal);
    }
}
