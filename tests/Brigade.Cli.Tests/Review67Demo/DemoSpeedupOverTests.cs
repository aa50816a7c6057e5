using System.Reflection;
using System.Text.Json;
using Brigade.Cli.Demo;
using Brigade.Cli.Demo.Model;
using Brigade.Reporting;

namespace Brigade.Cli.Tests.Review67Demo;

// Review 67: in a scene with no sequential run (auto-mode, commands, crash-containment) a demo record's `speedup` was the
// report's busy time over its wall time, which counts a thread's wait for a core as work: on a loaded machine an auto run
// read speedup 1.95, efficiency 0.97 while its own `losses` said 0.264 and 0.13. Such a record now carries the losses'
// figure (the items' own time over the wall time: over one worker on an idle machine), and `speedupOver` says which
// figure each record holds. These tests build records from made-up reports: no run, no timing.
public sealed class DemoSpeedupOverTests
{
    private static readonly TimeSpan Wall = TimeSpan.FromSeconds(1);

    [Fact]
    public void Record_SceneWithoutASequentialRun_CarriesTheLossesSpeedup_NotBusyOverWall()
    {
        // Two workers busy 0.975 s each of a 1 s run, 0.843 s of it waiting for a core: busy over wall is 1.95.
        var report = LoadedReport();
        Assert.Equal(1.95, report.Speedup, 6);
        Assert.True(report.Losses.Speedup < 0.5, $"made-up losses speedup {report.Losses.Speedup}");

        var record = new DemoContext(quick: true, json: true, Spectre.Console.AnsiConsole.Console).Record(report);

        Assert.NotNull(record.Losses);
        Assert.Equal(Math.Round(report.Losses.Speedup, 2, MidpointRounding.AwayFromZero), record.Speedup, 6);
        Assert.InRange(record.Speedup - record.Losses!.Speedup!.Value, -0.006, 0.006);
        Assert.Equal(Math.Round(report.Losses.Speedup / 2, 2, MidpointRounding.AwayFromZero), record.Efficiency, 6);
        Assert.Equal("one worker on an idle machine", SpeedupOver(record));
    }

    [Fact]
    public void Record_EfficiencyWidthGiven_DividesTheLossesSpeedupByIt()
    {
        var report = LoadedReport();

        var record = new DemoContext(quick: true, json: true, Spectre.Console.AnsiConsole.Console).Record(report, efficiencyWidth: 1);

        Assert.Equal(Math.Round(report.Losses.Speedup, 2, MidpointRounding.AwayFromZero), record.Efficiency, 6);
    }

    [Fact]
    public void Record_SceneWithASequentialRun_IsTheSequentialWallOverThisRuns_AndSaysSo()
    {
        var report = LoadedReport();

        var record = new DemoContext(quick: true, json: true, Spectre.Console.AnsiConsole.Console).Record(report, sequentialWall: TimeSpan.FromSeconds(1.5), efficiencyWidth: 2);

        Assert.Equal(1.5, record.Speedup, 6);
        Assert.Equal(0.75, record.Efficiency, 6);
        Assert.Equal("sequential", SpeedupOver(record));
    }

    [Fact]
    public void Baseline_IsOverTheScenesSequentialTime_AndSaysSo()
    {
        var record = DemoContext.Baseline("Parallel.ForEach", "64 blocking calls", 2, 64, TimeSpan.FromSeconds(8), TimeSpan.Zero, TimeSpan.FromSeconds(64), 64);

        Assert.Equal(8.0, record.Speedup, 6);
        Assert.Equal(0.13, record.Efficiency, 6);
        Assert.Equal("sequential", SpeedupOver(record));
    }

    [Fact]
    public void Table_MarksTheSpeedupsOverOneWorker_AndSaysWhatTheyAreOver()
    {
        var context = new DemoContext(quick: true, json: true, Spectre.Console.AnsiConsole.Console);
        var scene = new SceneResult { Id = "auto-mode", Title = "t", Conclusion = "c" };
        scene.Runs.Add(context.Record(LoadedReport()));
        scene.Runs.Add(context.Record(LoadedReport(), sequentialWall: TimeSpan.FromSeconds(1.5), efficiencyWidth: 2));

        var text = Render(scene);

        // The table shows the record's own figures: the losses' speedup, marked, and the sequential one, not marked.
        var estimate = Math.Round(scene.Runs[0].Speedup, 2).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(estimate + "×*", text, StringComparison.Ordinal);
        Assert.Contains("1.50×", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1.50×*", text, StringComparison.Ordinal);
        Assert.DoesNotContain("1.95×", text, StringComparison.Ordinal);
        Assert.Contains("* speedup over one worker on an idle machine", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_AllOverTheSequentialRun_HasNoMarkAndNoLegend()
    {
        var context = new DemoContext(quick: true, json: true, Spectre.Console.AnsiConsole.Console);
        var scene = new SceneResult { Id = "cpu-bound", Title = "t", Conclusion = "c" };
        scene.Runs.Add(context.Record(LoadedReport(), sequentialWall: TimeSpan.FromSeconds(1.5), efficiencyWidth: 2));

        var text = Render(scene);

        Assert.DoesNotContain("×*", text, StringComparison.Ordinal);
        Assert.DoesNotContain("idle machine", text, StringComparison.Ordinal);
    }

    private static string Render(SceneResult scene)
    {
        using var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        DemoRenderer.SceneEnd(console, scene);
        return output.ToString();
    }

    private static string? SpeedupOver(RunRecord record)
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, DemoJsonContext.Default.RunRecord));
        return json.RootElement.TryGetProperty("speedupOver", out var over) ? over.GetString() : null;
    }

    // A report as a threadpool run of two workers on a loaded 2-core machine leaves it; RunReport and the worker timings
    // have internal constructors, so reflection sets what the run would have.
    private static RunReport LoadedReport()
    {
        var report = (RunReport)Activator.CreateInstance(typeof(RunReport), nonPublic: true)!;
        var busy = TimeSpan.FromSeconds(0.975);
        var wait = TimeSpan.FromSeconds(0.843);
        WorkerReport Worker(int id)
        {
            var timingType = typeof(RunReport).Assembly.GetType("Brigade.Reporting.WorkerTiming", throwOnError: true)!;
            var timing = Activator.CreateInstance(timingType, TimeSpan.Zero, busy - TimeSpan.FromMilliseconds(1), busy, (long)(id * 50), 1, (TimeSpan?)wait, TimeSpan.Zero);
            var worker = new WorkerReport(id, $"worker-{id}", null, 50, 50, 0, busy, busy - wait);
            typeof(WorkerReport).GetProperty("Timing", BindingFlags.Instance | BindingFlags.NonPublic)!.SetValue(worker, timing);
            return worker;
        }

        Set(report, nameof(RunReport.Engine), "threadpool");
        Set(report, nameof(RunReport.Label), "made-up");
        Set(report, nameof(RunReport.DegreeOfParallelism), 2);
        Set(report, nameof(RunReport.Items), 100L);
        Set(report, nameof(RunReport.Batches), 100L);
        Set(report, nameof(RunReport.WallTime), Wall);
        Set(report, nameof(RunReport.BusyTime), busy * 2);
        Set(report, nameof(RunReport.ProcessCpuTime), (busy - wait) * 2);
        Set(report, nameof(RunReport.WorkerCpuTime), (TimeSpan?)((busy - wait) * 2));
        Set(report, nameof(RunReport.Workers), (IReadOnlyList<WorkerReport>)[Worker(0), Worker(1)]);
        return report;
    }

    private static void Set(RunReport report, string property, object? value) =>
        typeof(RunReport).GetProperty(property, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)!.SetValue(report, value);
}
