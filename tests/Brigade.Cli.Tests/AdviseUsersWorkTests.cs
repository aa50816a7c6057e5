using System.Text.Json;

namespace Brigade.Cli.Tests;

/// <summary><c>brigade advise</c> on a user's work type and items. A class of its own (its own test collection) so that these long runs overlap the other classes' tests instead of queueing behind <see cref="AutoModeCliTests"/>'s.</summary>
public sealed class AdviseUsersWorkTests
{
    // A hang check: the measured runs take their time from the machine's load (120 s was passed at load 63).
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

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

    // The conversion is checked on one engine: every other one (worker processes above all) would cost CPU and check
    // nothing more (review 63).
    [Fact]
    public async Task Advise_OnAWorkTypeWithARecordInput_ConvertsJsonLinesToTheTypeTheWorkExpects()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("people.jsonl"), Enumerable.Range(1, 50).Select(i => $$"""{"name":"P{{i}}","age":{{i}}}"""));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--assembly", typeof(Brigade.Samples.WorkTypes.GreetWork).Assembly.Location,
            "--work", typeof(Brigade.Samples.WorkTypes.GreetWork).FullName!, "--input", dir.File("people.jsonl"),
            "--engines", "sequential").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("GreetWork", Assert.Single(doc.RootElement.GetProperty("workloads").EnumerateArray()).GetProperty("id").GetString());
    }
}
