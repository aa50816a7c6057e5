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
        Assert.All(advised, line => Assert.DoesNotContain("BatchSize", RunLossAdvice.ForRun(line), StringComparison.Ordinal));
    }

    [Fact]
    public void A_summary_reads_in_the_commands_terms()
    {
        var summary = "52% of the ideal; lost to overhead: 1.2 s between batches (items are small for their dispatch cost: raise BatchSize or give each item more work)";
        Assert.Equal("52% of the ideal; lost to overhead: 1.2 s between batches (items are small for their dispatch cost: give each command more work (every line starts a process))", RunLossAdvice.ForRun(summary));
    }
}
