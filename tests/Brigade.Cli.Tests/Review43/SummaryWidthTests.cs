namespace Brigade.Cli.Tests.Review43;

/// <summary>
/// The summary's width is the most items that could run at once: 3 commands on auto mode's 64 said "auto ×64", and
/// with <c>-j 8</c> "threads ×8", and auto's ceiling hint ("--jobs N raises it") was printed for a run it never held back.
/// </summary>
public sealed class SummaryWidthTests
{
    [Theory]
    [InlineData("threads", "8")]
    [InlineData("auto", null)]
    public async Task FewerItemsThanWorkers_SummarySaysTheItemCount(string engine, string? jobs)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2", "3"]);
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        string[] args = ["run", "in.txt", "-x", "sleep 0.1; echo {}", "-e", engine, "-o", "out.txt", .. jobs is null ? [] : new[] { "-j", jobs }];

        var (code, _, stderr) = await CliProcess.RunAsync(dir.Path, state, null, TimeSpan.FromSeconds(60), args);

        Assert.True(code == 0, stderr);
        Assert.Contains($"3 items, 0 failed; {engine} ×3, ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--jobs N raises it", stderr, StringComparison.Ordinal);
    }
}
