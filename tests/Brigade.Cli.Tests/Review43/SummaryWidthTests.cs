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
        // In-process (CliRunner; a start of brigade per case until 2026-12-05): the summary is the same line from a process.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2", "3"]);
        string[] args = ["run", dir.File("in.txt"), "-x", "sleep 0.1; echo {}", "-e", engine, "-o", dir.File("out.txt"), .. jobs is null ? [] : new[] { "-j", jobs }];

        var (code, _, stderr) = await CliRunner.RunAsync(args).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 0, stderr);
        Assert.Contains($"3 items, 0 failed; {engine} ×3, ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("--jobs N raises it", stderr, StringComparison.Ordinal);
    }
}
