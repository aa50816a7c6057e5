using System.Text.Json;
using Brigade.Samples.WorkTypes;

namespace Brigade.Cli.Tests.Review63Advise;

// Review 63: `brigade advise --engines` compares only the engines a user can ship ("I cannot ship worker processes":
// --engines threads,async). Before, --only limited workloads and nothing limited engines: every run measured worker
// processes too, and the verdict could name an engine the user had ruled out. Every test here runs in-process on tiny
// items, with no worker process.
public sealed class AdviseEnginesTests
{
    // A hang check: the measured runs take their time from the machine's load.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Theory]
    [InlineData("--engines", "gpu")]
    [InlineData("--engines", "threads,fibers")]
    [InlineData("--engines", "")]
    [InlineData("--engines", ",")]
    [InlineData("--engines", "cluster")]
    public async Task AdviseEngines_UnknownOrNone_IsAOneLineUsageError_ListingTheValidOnes(params string[] args)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["advise", "--quick", "--only", "tiny", .. args], stdout, stderr, bound.Token);

        Assert.Equal(2, code);
        Assert.Equal("", stdout.ToString());
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("brigade: --engines: ", line, StringComparison.Ordinal);
        Assert.Contains("sequential, threadpool, threads, async or processes", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdviseEngines_NoneOfThemRunsTheSelectedWorkloads_IsAUsageError_BeforeAnythingIsMeasured()
    {
        // tiny's hand-picked configurations are sequential and the thread pool; advise has nothing to compare auto with.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["advise", "--quick", "--only", "tiny", "--engines", "processes"], stdout, stderr, bound.Token);

        Assert.Equal(2, code);
        Assert.Equal("", stdout.ToString());
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--engines processes", line, StringComparison.Ordinal);
        Assert.Contains("tiny", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdviseEngines_AsyncOnly_ForASynchronousWorkType_IsAUsageError_NamingTheEnginesThatRunIt()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1", "2", "3"]);
        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--assembly", typeof(SquareWork).Assembly.Location, "--work", typeof(SquareWork).FullName!,
            "--input", dir.File("n.txt"), "--engines", "async").WaitAsync(Bound);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--engines async", line, StringComparison.Ordinal);
        Assert.Contains("sequential, threadpool, threads or processes", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdviseEnginesJson_OnAUsersWork_MeasuresOnlyThoseEngines_AndSaysWhetherAutosPlanIsAmongThem()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--assembly", typeof(SquareWork).Assembly.Location, "--work", typeof(SquareWork).FullName!,
            "--input", dir.File("n.txt"), "--engines", "Sequential").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["sequential"], doc.RootElement.GetProperty("engines").EnumerateArray().Select(e => e.GetString()));
        var w = Assert.Single(doc.RootElement.GetProperty("workloads").EnumerateArray());
        var engines = w.GetProperty("alternatives").EnumerateArray().Select(a => a.GetProperty("engine").GetString()).ToList();
        Assert.NotEmpty(engines);
        Assert.All(engines, e => Assert.Equal("sequential", e));
        Assert.StartsWith("sequential ×", w.GetProperty("best").GetString(), StringComparison.Ordinal);
        var planEngines = w.GetProperty("planEngines").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.NotEmpty(planEngines);
        Assert.Equal(planEngines.All(e => e == "sequential"), w.GetProperty("planAmongEngines").GetBoolean());
    }

    [Fact]
    public async Task AdviseEngines_WhenAutosPlanRunsOnAnEngineLeftOut_TheVerdictSaysSo_AndNamesTheBestOfTheAllowedOnes()
    {
        // 100 squares are a few microseconds of work: auto runs them one after another (sequential), which --engines
        // threadpool leaves out (the pool, not dedicated threads: 31 runs of threads ×16 and ×64 start 2,500 threads).
        // The verdict must not recommend it as if it were among the user's choices.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--assembly", typeof(SquareWork).Assembly.Location, "--work", typeof(SquareWork).FullName!,
            "--input", dir.File("n.txt"), "--engines", "threadpool").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        // The verdict, from its arrow to the closing "Done in", as one line (the console wraps it at its width).
        var verdict = System.Text.RegularExpressions.Regex.Replace(stdout[stdout.IndexOf('→', StringComparison.Ordinal)..stdout.IndexOf("Done in", StringComparison.Ordinal)], @"\s+", " ");
        var plan = System.Text.RegularExpressions.Regex.Match(verdict, "auto's plan runs on ([a-z]+(?: and [a-z]+)*), (which --engines leaves out|among --engines)");
        Assert.True(plan.Success, verdict);
        if (plan.Groups[1].Value != "threadpool")
        {
            Assert.Equal("which --engines leaves out", plan.Groups[2].Value);
            Assert.Contains("the best of threadpool is threadpool ×", verdict, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("among --engines", plan.Groups[2].Value);
            Assert.Contains("threadpool ×", verdict, StringComparison.Ordinal);
        }
    }
}
