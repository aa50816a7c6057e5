namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A run with fewer items than workers gets no "why not faster" line: the workers that never had an item counted as
/// lost. (Two items on two workers, one long, still get theirs: that imbalance is real.) Before, a
/// two-line CSV (whose items are not counted ahead, so auto mode ran it 32 wide) ended with "why not faster: 2% of the
/// ideal; lost to imbalance 96% ... use fewer workers" (review 37).
/// </summary>
public sealed class WhyNotFasterFewItemsTests
{
    [Fact(Timeout = 60_000)]
    public async Task FewerItemsThanWorkers_NoWhyNotFasterLine()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "0.2\n0.2\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "sleep {}", "-e", "threads", "-j", "4");

        Assert.True(code == 0, stderr);
        Assert.Contains("brigade run: 2 items, 0 failed", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("why not faster", stderr, StringComparison.Ordinal);
    }
}
