using System.Text.Json;

namespace Brigade.Cli.Tests;

/// <summary>The auto-mode parts of the command line: advise on its own workloads (on a user's work type: <see cref="AdviseUsersWorkTests"/>; the demo's auto-mode scene: <see cref="AutoModeSceneTests"/>).</summary>
public sealed class AutoModeCliTests
{
    // A hang check: the measured runs take their time from the machine's load (120 s was passed at load 63).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task AdviseList_NamesEveryWorkload()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("advise", "--list");

        Assert.Equal(0, code);
        var ids = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(ids.Length >= 10, stdout);
        Assert.Contains("async-http", ids);
        Assert.Contains("changes-halfway", ids);
    }

    [Fact]
    public async Task AdviseJson_PrintsThePlanBesideTheMeasuredAlternatives()
    {
        // A process of its own, as users run it: auto mode's evidence of lock waits on Brigade's primitives is process-wide,
        // and in this test host other tests wait on them in parallel (blocking-sleep was once classed "serialized" so).
        var (code, stdout, stderr) = await CliProcess.RunAsync(Path.GetTempPath(), environment: null, stdin: null, timeout: Bound, "advise", "--quick", "--json", "--only", "tiny,blocking-sleep");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var workloads = doc.RootElement.GetProperty("workloads").EnumerateArray().ToList();
        Assert.Equal(new[] { "tiny", "blocking-sleep" }, workloads.Select(w => w.GetProperty("id").GetString()).ToArray());
        foreach (var w in workloads)
        {
            Assert.False(string.IsNullOrWhiteSpace(w.GetProperty("plan").GetString()));
            Assert.Equal(w.GetProperty("expectedClass").GetString(), w.GetProperty("class").GetString());
            Assert.True(w.GetProperty("alternatives").GetArrayLength() >= 2);
            Assert.True(w.GetProperty("autoSeconds").GetDouble() > 0);
            Assert.True(w.GetProperty("ratio").GetDouble() > 0);
        }
    }

    [Theory]
    [InlineData("--work", "Brigade.Samples.WorkTypes.SquareWork")]
    [InlineData("--input", "n.txt")]
    [InlineData("--work", "No.Such.Work", "--input", "n.txt")]
    [InlineData("--work", "Brigade.Samples.WorkTypes.SquareWork", "--input", "missing.txt")]
    [InlineData("--work", "Brigade.Samples.WorkTypes.SquareWork", "--input", "words.txt")]
    [InlineData("--work", "Brigade.Samples.WorkTypes.SquareWork", "--input", "n.txt", "--only", "tiny")]
    public async Task Advise_OnAUsersWorkType_BadOptionsOrInput_AreUsageErrorsBeforeAnythingRuns(params string[] args)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1", "2"]);
        await File.WriteAllLinesAsync(dir.File("words.txt"), ["1", "two"]);
        var resolved = args.Select(a => a.EndsWith(".txt", StringComparison.Ordinal) ? dir.File(a) : a);

        var (code, stdout, stderr) = await CliRunner.RunAsync(["advise", "--assembly", typeof(Brigade.Samples.WorkTypes.SquareWork).Assembly.Location, .. resolved]).WaitAsync(Bound);

        Assert.Equal(2, code);
        Assert.StartsWith("brigade: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task AdviseTable_DegradesToPlainTextOffATerminal()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("advise", "--quick", "--only", "tiny").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        Assert.Contains("not worth parallelizing", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", stdout, StringComparison.Ordinal);
    }
}
