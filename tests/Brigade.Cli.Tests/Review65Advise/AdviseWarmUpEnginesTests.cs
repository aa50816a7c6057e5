namespace Brigade.Cli.Tests.Review65Advise;

// Review 65: advise's warm-up of a user's work type ran its items in this process on every in-process engine (one after the
// other, the thread pool, dedicated threads, auto) whatever --engines named: under --engines processes a work type isolated
// because it is not thread-safe (or brings its process down) ran here on threads, and under --engines sequential in
// parallel on dedicated threads. It now warms the engines measured, and auto where it runs here. In-process, tiny items.
public sealed class AdviseWarmUpEnginesTests
{
    // A hang check: the measured runs take their time from the machine's load.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task EnginesSequential_NoItemRunsOnTheDedicatedThreadsEngine()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), Enumerable.Range(1, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var log = dir.File("threads.log");
        Environment.SetEnvironmentVariable(R65ThreadLogWork.Variable, log);
        try
        {
            var (code, _, stderr) = await CliRunner.RunAsync(
                "advise", "--quick", "--json", "--repetitions", "1", "--assembly", typeof(R65ThreadLogWork).Assembly.Location, "--work", typeof(R65ThreadLogWork).FullName!,
                "--input", dir.File("n.txt"), "--engines", "sequential").WaitAsync(Bound);

            Assert.True(code == 0, stderr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(R65ThreadLogWork.Variable, null);
        }

        var lines = await File.ReadAllLinesAsync(log);
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, n => n.StartsWith("brigade-thread-", StringComparison.Ordinal));

        // One item at a time, warm-up and auto's sample included (review 65: the warm-up's auto engine was unrestricted).
        Assert.All(lines, l => Assert.EndsWith(" 1", l, StringComparison.Ordinal));
    }
}
