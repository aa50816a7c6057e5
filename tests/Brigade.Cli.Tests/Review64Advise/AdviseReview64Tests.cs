using System.Text.Json;
using Brigade.Samples.WorkTypes;

namespace Brigade.Cli.Tests.Review64Advise;

// Review 64: brigade advise. Every test here runs in-process on tiny items with no worker process (the suite is near its
// time limit): auto mode plans among --engines, usage errors are found before the measuring restart, and --json writes
// every documented field, null where it has no value.
public sealed class AdviseReview64Tests
{
    // A hang check: the measured runs take their time from the machine's load.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Theory]
    [InlineData("advise", "--engines", "gpu")]
    [InlineData("advise", "--engines", "")]
    [InlineData("advise", "--only", "no-such-workload")]
    [InlineData("advise", "--repetitions", "0")]
    [InlineData("advise", "--repetitions", "abc")]
    [InlineData("advise", "--work", "X")]
    [InlineData("advise", "--frob")]
    public void AUsageError_IsFoundBeforeTheMeasuringRestart_SoNoSecondStartUp(params string[] args)
    {
        // Before, advise --engines gpu restarted itself with the measuring settings (execve, ~0.2 s of CPU) and only then
        // said its one line.
        Assert.True(MeasuringProcess.IsUsageError(args));
        Assert.False(MeasuringProcess.ShouldRestart(args));
    }

    [Theory]
    [InlineData("advise", "--quick", "--engines", "threads,processes")]
    [InlineData("advise", "--quick", "--only", "tiny", "--repetitions", "2")]
    [InlineData("demo", "--quick")]
    [InlineData("demo", "--frob")] // the demo is not checked before its restart: a check costs each of its starts ~0.05 s of CPU
    public void AGoodCommandLine_OrAnyDemoOne_IsNotCheckedAsAUsageErrorBeforeTheRestart(params string[] args) => Assert.False(MeasuringProcess.IsUsageError(args));

    [Fact]
    public async Task AdviseEngines_AutoPlansAmongThem_AndTheJsonHasEveryField_NullWhereUnknown()
    {
        // 100 squares: auto's own plan is sequential (not worth parallelizing), which --engines threadpool leaves out.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), Enumerable.Range(1, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--assembly", typeof(SquareWork).Assembly.Location, "--work", typeof(SquareWork).FullName!,
            "--input", dir.File("n.txt"), "--engines", "threadpool").WaitAsync(Bound);

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["threadpool"], doc.RootElement.GetProperty("autoEngines").EnumerateArray().Select(e => e.GetString()));
        var w = Assert.Single(doc.RootElement.GetProperty("workloads").EnumerateArray());
        Assert.Equal(["threadpool"], w.GetProperty("planEngines").EnumerateArray().Select(e => e.GetString()).Distinct());
        Assert.True(w.GetProperty("planAmongEngines").GetBoolean());
        AssertEveryField(w);
    }

    [Fact]
    public void AdviseJson_WithoutEngines_WritesTheFieldsThatHaveNoValue_AsNull()
    {
        // Before, a null field was left out (WhenWritingNull): "engines" without --engines, "forecastSpeedup" for a plan
        // that forecast nothing, while "plan" was written whatever it held.
        var document = new Brigade.Cli.Advise.AdviseDocument { Machine = Brigade.Cli.Demo.Model.MachineInfo.Current(), Quick = true, Repetitions = 1 };
        document.Workloads.Add(new Brigade.Cli.Advise.AdviseWorkload
        {
            Id = "w", Title = "t", ExpectedClass = "unknown", Class = "tiny", Plan = "", Best = "sequential ×1",
            Alternatives = [new Brigade.Cli.Advise.AdviseAlternative { Label = "sequential ×1", Engine = "sequential", Width = 1 }],
        });

        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(document, Brigade.Cli.Advise.AdviseJsonContext.Default.AdviseDocument));

        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("engines").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("autoEngines").ValueKind);
        var w = doc.RootElement.GetProperty("workloads")[0];
        AssertEveryField(w);
        Assert.Equal(JsonValueKind.Null, w.GetProperty("planAmongEngines").ValueKind);
        Assert.Equal(JsonValueKind.Null, w.GetProperty("forecastSpeedup").ValueKind);
        Assert.Equal(JsonValueKind.Null, w.GetProperty("forecastLimitedBy").ValueKind);
        Assert.Equal(JsonValueKind.Null, w.GetProperty("alternatives")[0].GetProperty("forecastSpeedup").ValueKind);
        Assert.Equal(0, w.GetProperty("notes").GetArrayLength());
    }

    // Every field docs/auto-mode.md documents for a workload and an alternative, present whatever its value.
    private static void AssertEveryField(JsonElement w)
    {
        foreach (var name in new[] { "id", "title", "expectedClass", "class", "classMatches", "plan", "plans", "planEngines", "planAmongEngines", "autoSeconds",
            "forecastSpeedup", "forecastLimitedBy", "measuredSpeedup", "alternatives", "best", "ratio", "notes" })
        {
            Assert.True(w.TryGetProperty(name, out _), $"no {name} in {w}");
        }

        foreach (var a in w.GetProperty("alternatives").EnumerateArray())
        {
            foreach (var name in new[] { "label", "engine", "width", "seconds", "forecastSpeedup", "measuredSpeedup" })
            {
                Assert.True(a.TryGetProperty(name, out _), $"no {name} in {a}");
            }
        }
    }
}
