using System.Text.Json;

namespace Brigade.Cli.Tests;

/// <summary>The auto-mode parts of the command line: advise, and the demo's auto-mode scene in its JSON contract.</summary>
public sealed class AutoModeCliTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

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
        var (code, stdout, stderr) = await CliProcess.RunAsync(Path.GetTempPath(), stdin: null, "advise", "--quick", "--json", "--only", "tiny,blocking-sleep").WaitAsync(Bound);

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

    [Fact]
    public async Task AdviseJson_OnAUsersWorkType_MeasuresItOnTheUsersItems_AgainstThreadsAndProcesses()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), Enumerable.Range(1, 200).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--assembly", typeof(Brigade.Samples.WorkTypes.SquareWork).Assembly.Location,
            "--work", typeof(Brigade.Samples.WorkTypes.SquareWork).FullName!, "--input", dir.File("n.txt")).WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var w = Assert.Single(doc.RootElement.GetProperty("workloads").EnumerateArray());
        Assert.Equal("SquareWork", w.GetProperty("id").GetString());
        Assert.StartsWith("200 × Brigade.Samples.WorkTypes.SquareWork", w.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("unknown", w.GetProperty("expectedClass").GetString());
        Assert.NotEqual("unknown", w.GetProperty("class").GetString());
        Assert.False(string.IsNullOrWhiteSpace(w.GetProperty("plan").GetString()));
        var engines = w.GetProperty("alternatives").EnumerateArray().Select(a => a.GetProperty("engine").GetString()).ToList();
        Assert.Contains("sequential", engines);
        Assert.Contains("threads", engines);
        Assert.Contains("processes", engines);
    }

    [Fact]
    public async Task Advise_OnAWorkTypeWithARecordInput_ConvertsJsonLinesToTheTypeTheWorkExpects()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("people.jsonl"), Enumerable.Range(1, 50).Select(i => $$"""{"name":"P{{i}}","age":{{i}}}"""));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--assembly", typeof(Brigade.Samples.WorkTypes.GreetWork).Assembly.Location,
            "--work", typeof(Brigade.Samples.WorkTypes.GreetWork).FullName!, "--input", dir.File("people.jsonl")).WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("GreetWork", Assert.Single(doc.RootElement.GetProperty("workloads").EnumerateArray()).GetProperty("id").GetString());
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

    [Fact]
    public async Task DemoJson_AutoModeScene_HasAnAutoRunPerWorkload_WithPlanAndClass_BesideAHandPickedRun()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "auto-mode").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var scene = Assert.Single(doc.RootElement.GetProperty("scenes").EnumerateArray());
        Assert.Equal("auto-mode", scene.GetProperty("id").GetString());
        var runs = scene.GetProperty("runs").EnumerateArray().ToList();
        var autoRuns = runs.Where(r => r.GetProperty("engine").GetString() == "auto").ToList();
        Assert.True(autoRuns.Count >= 10, $"{autoRuns.Count} auto runs");
        var classes = new HashSet<string> { "cpu-bound", "blocking", "async-io", "tiny", "mixed", "serialized" };
        foreach (var run in autoRuns)
        {
            var label = run.GetProperty("label").GetString()!;
            Assert.False(string.IsNullOrWhiteSpace(run.GetProperty("plan").GetString()));
            Assert.Contains(run.GetProperty("class").GetString()!, classes);
            Assert.Contains(runs, r => r.GetProperty("engine").GetString() != "auto" && r.GetProperty("label").GetString() == label);
        }

        Assert.All(runs.Where(r => r.GetProperty("engine").GetString() != "auto"), r => Assert.False(r.TryGetProperty("plan", out _)));
    }
}
