using System.Text.Json;
using Brigade.Samples.WorkTypes;

namespace Brigade.Cli.Tests.Review66bAdvise;

// Review 66b: advise's forecast table printed a forecast speedup beside a measured one, and its legend said both were
// "the items × the sampled time per item over the wall time"; the measured side never was, and on worker processes under
// load it was a speedup over one worker under the same load (1.99 beside a forecast of 0.09). Both are now over one worker
// on an idle machine, and `--json` says so in a field of its own (added; forecastSpeedup and measuredSpeedup unchanged).
public sealed class AdviseSpeedupOverTests
{
    // A hang check: the measured runs take their time from the machine's load.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Fact]
    public async Task AdviseJson_SaysWhatTheSpeedupsAreOver()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--assembly", typeof(SquareWork).Assembly.Location, "--work", typeof(SquareWork).FullName!,
            "--input", dir.File("n.txt"), "--engines", "sequential").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("one worker on an idle machine", doc.RootElement.GetProperty("speedupOver").GetString());
        var w = Assert.Single(doc.RootElement.GetProperty("workloads").EnumerateArray());
        Assert.True(w.TryGetProperty("forecastSpeedup", out _));
        Assert.True(w.TryGetProperty("measuredSpeedup", out _));
    }

    [Fact]
    public void ForecastLegend_NamesOneQuantity_ForBothColumns()
    {
        // Before: "both as the items × the sampled time per item over the wall time", which the measured side never was.
        Assert.Contains("over one worker on an idle machine", Commands.AdviseCommand.ForecastLegend, StringComparison.Ordinal);
        Assert.DoesNotContain("sampled time per item", Commands.AdviseCommand.ForecastLegend, StringComparison.Ordinal);
    }
}
