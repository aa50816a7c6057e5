using System.Text.Json;
using Brigade.Cli.Demo;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Demo.Scenes;

namespace Brigade.Cli.Tests.Report69;

// Report 69 (fresh69 finding 5): `brigade demo --json`'s tiny-tasks scene gave its baseline run (one Task.Run per item) no
// `batches`, though README shows the field on every run. A baseline that hands each item to the pool as its own task ran
// one batch per item, and now says so; the --json shape only gains the field.
public sealed class DemoBatchesTests
{
    [Fact(Timeout = 120_000)]
    public async Task TinyTasks_EveryRunHasBatches_TheBaselineOnePerItem()
    {
        var context = new DemoContext(quick: true, json: true, Spectre.Console.AnsiConsole.Console);

        var scene = await new TinyTasksScene().RunAsync(context, CancellationToken.None);

        Assert.All(scene.Runs, run => Assert.True(Batches(run) is > 0, $"{run.Engine} {run.Label}: no batches"));
        var baseline = Assert.Single(scene.Runs, static r => r.Engine == "baseline");
        Assert.Equal(baseline.Items, Batches(baseline));
    }

    [Fact]
    public void Baseline_TaskPerItem_SaysItsBatches()
    {
        var record = DemoContext.Baseline("Task.Run per item", "10 items", 2, 10, TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromSeconds(2), 2, batches: 10);

        Assert.Equal(10, Batches(record));
    }

    [Fact]
    public void Baseline_BatchesUnknown_LeavesTheFieldOut()
    {
        var record = DemoContext.Baseline("Parallel.ForEach", "64 blocking calls", 2, 64, TimeSpan.FromSeconds(8), TimeSpan.Zero, TimeSpan.FromSeconds(64), 64);

        Assert.Null(Batches(record));
    }

    private static long? Batches(RunRecord record)
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, DemoJsonContext.Default.RunRecord));
        return json.RootElement.TryGetProperty("batches", out var batches) && batches.ValueKind == JsonValueKind.Number ? batches.GetInt64() : null;
    }
}
