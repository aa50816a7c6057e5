using System.Text.Json;

namespace Brigade.Cli.Tests;

/// <summary><c>demo --json</c> is a public contract (README): one document on stdout, fields added but never removed.</summary>
public sealed class DemoJsonTests(TinyTasksDemoFixture demo) : IClassFixture<TinyTasksDemoFixture>
{
    private static readonly string[] Engines = ["sequential", "threadpool", "threads", "async", "baseline"];

    [Fact]
    public void DemoJson_TinyTasks_ExitsZeroWithNothingOnStderr()
    {
        Assert.True(demo.ExitCode == 0, $"exit code {demo.ExitCode}; stderr: {demo.Stderr}");
        Assert.Empty(demo.Stderr);
    }

    [Fact]
    public void DemoJson_TinyTasks_StdoutIsExactlyOneJsonDocument()
    {
        // Parsing the whole of stdout fails on anything before or after the document (a table, a log line).
        using var document = JsonDocument.Parse(demo.Stdout);

        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.StartsWith("{", demo.Stdout.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public void DemoJson_TinyTasks_MatchesTheReadmeContract()
    {
        using var document = JsonDocument.Parse(demo.Stdout);
        var root = document.RootElement;

        Assert.Equal(1, root.GetProperty("version").GetInt32());
        var machine = root.GetProperty("machine");
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("cores").GetInt32());
        foreach (var field in new[] { "os", "runtime", "architecture", "date" })
        {
            Assert.False(string.IsNullOrWhiteSpace(machine.GetProperty(field).GetString()), field);
        }

        Assert.True(root.GetProperty("options").GetProperty("quick").GetBoolean());
        Assert.Equal(["tiny-tasks"], root.GetProperty("options").GetProperty("only").EnumerateArray().Select(e => e.GetString()));
        Assert.True(root.GetProperty("totalSeconds").GetDouble() >= 0);

        var scene = Assert.Single(root.GetProperty("scenes").EnumerateArray());
        Assert.Equal("tiny-tasks", scene.GetProperty("id").GetString());
        Assert.False(string.IsNullOrWhiteSpace(scene.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(scene.GetProperty("conclusion").GetString()));
        Assert.True(scene.GetProperty("seconds").GetDouble() >= 0);

        var runs = scene.GetProperty("runs").EnumerateArray().ToList();
        Assert.NotEmpty(runs);
        Assert.All(runs, run =>
        {
            Assert.Contains(run.GetProperty("engine").GetString(), Engines);
            Assert.False(string.IsNullOrWhiteSpace(run.GetProperty("label").GetString()));
            Assert.True(run.GetProperty("workers").GetInt32() >= 1);
            Assert.Equal(100_000, run.GetProperty("items").GetInt64());
            Assert.True(run.GetProperty("wallSeconds").GetDouble() >= 0);
            Assert.True(run.GetProperty("cpuSeconds").GetDouble() >= 0);
            Assert.Equal(0, run.GetProperty("failed").GetInt64());
            Assert.True(run.GetProperty("speedup").GetDouble() > 0);
            Assert.Equal(JsonValueKind.Number, run.GetProperty("efficiency").ValueKind);
        });

        // Brigade's own runs, a sequential baseline among them, and the naive one-task-per-item baseline, named.
        Assert.Contains(runs, r => r.GetProperty("engine").GetString() == "sequential");
        var baseline = Assert.Single(runs, r => r.GetProperty("engine").GetString() == "baseline");
        Assert.False(string.IsNullOrWhiteSpace(baseline.GetProperty("baseline").GetString()));
    }

    [Fact]
    public void DemoTrace_TinyTasks_WritesOneTraceProcessPerBrigadeRun()
    {
        using var output = JsonDocument.Parse(demo.Stdout);
        var brigadeRuns = output.RootElement.GetProperty("scenes")[0].GetProperty("runs").EnumerateArray()
            .Count(r => r.GetProperty("engine").GetString() != "baseline");

        using var trace = JsonDocument.Parse(File.ReadAllText(demo.TracePath));

        Assert.True(brigadeRuns >= 1);
        Assert.Equal(brigadeRuns, trace.RootElement.GetProperty("otherData").GetProperty("runs").GetInt32());
        var events = trace.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        Assert.Equal(brigadeRuns, events.Count(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "process_name"));
        Assert.Contains(events, e => e.GetProperty("ph").GetString() == "X");
    }
}
