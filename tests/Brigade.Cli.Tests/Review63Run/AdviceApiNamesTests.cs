using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review63Run;

/// <summary>
/// run63: brigade run's "why not faster" line named the library's API, which its user cannot set: "use at most 2
/// (MaxDegreeOfParallelism, or Engine.ThreadPool; brigade run --jobs 2)" (4 threads of printf on 2 cores), "later runs of
/// the same work skip the sample (the plan cache, on unless AutoEngineOptions.UsePlanCache is off)" (7 echo commands).
/// </summary>
public sealed class AdviceApiNamesTests
{
    private static readonly string[] ApiNames = ["MaxDegreeOfParallelism", "Engine.", "Options.", "RunOptions"];

    private static readonly string[] AdviceLines = File.ReadAllLines(Path.Combine(Repository.Root, "src", "Brigade", "Reporting", "LossBreakdown.cs"))
        .Where(static l => l.Contains("MaxDegreeOfParallelism", StringComparison.Ordinal) || l.Contains("UsePlanCache is off", StringComparison.Ordinal)
            || l.Contains("Engine.Async", StringComparison.Ordinal) || l.Contains("Engine.Threads", StringComparison.Ordinal))
        .Where(static l => l.Contains('"', StringComparison.Ordinal) && !l.TrimStart().StartsWith("//", StringComparison.Ordinal))
        .ToArray();

    [Fact]
    public void TheLibrarysAdvice_NamesItsApi_WhereTheRewritesLook()
    {
        // Five advice lines name the API (oversubscription, a stale cached plan, the sample, dedicated threads, blocking items).
        Assert.True(AdviceLines.Length >= 5, string.Join(Environment.NewLine, AdviceLines));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NoAdviceOfBrigadeRun_NamesTheLibrarysApi(bool commands)
    {
        Assert.All(AdviceLines, line =>
        {
            // Only the advice text: from the first quote on (the line's code before it names the API too).
            var text = RunLossAdvice.ForRun(line[line.IndexOf('"', StringComparison.Ordinal)..], commands);
            Assert.All(ApiNames, name => Assert.DoesNotContain(name, text, StringComparison.Ordinal));
        });
    }

    [Theory]
    [InlineData(true, "those are brigade's own locks, not the commands': run commands that wait with --engine async")]
    [InlineData(false, "a lock is the likely wait, and more threads will not help it; hold locks for less time, or give each worker its own state")]
    public void LockLikelyAdvice_NamesNoLibraryApi_AndForCommandsSaysTheLocksAreBrigades(bool commands, string expected)
    {
        // Review 70: blocking while the runtime counted plain-lock contention reads "a lock is the likely wait" and names
        // RunLosses.StartTimingPlainLocks(), which brigade run's user cannot call; a command's own locks are never counted.
        var summary = "52% of the ideal; lost to blocking 88%: blocking cost 88% of the gap: the runtime counted 14 contentions on plain locks during these batches: a lock is the likely wait, and more threads will not help it; hold locks for less time, or give each worker its own state (RunLosses.StartTimingPlainLocks() before the run times the waits)";

        var text = RunLossAdvice.ForRun(summary, commands);

        Assert.EndsWith(expected + (commands ? " (auto mode picks this)" : ""), text, StringComparison.Ordinal);
        Assert.DoesNotContain("RunLosses", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversubscription_ReadsInTheCommandsOptions()
    {
        var summary = "23% of the ideal; lost to waiting for a core 91%: waiting for a core cost 91% of the gap: 4 workers for 2 cores on CPU-bound items: the workers beyond the cores only wait for one: use at most 2 (MaxDegreeOfParallelism, or Engine.ThreadPool; brigade run --jobs 2)";
        Assert.EndsWith("use at most 2 (--jobs 2)", RunLossAdvice.ForRun(summary, commands: true), StringComparison.Ordinal);
    }
}
