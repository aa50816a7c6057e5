using System.Text.Json;
using Brigade.Cli.Demo.Scenes;

namespace Brigade.Cli.Tests.DemoScenes;

/// <summary>The demo's <c>analyzers</c> scene: a page of plain C# with six classic pitfalls, compiled with Brigade's analyzers.</summary>
public sealed class AnalyzersSceneTests
{
    [Fact]
    public async Task Snippet_CompilesCleanly_AndEachPitfallIsFlaggedAtItsLine()
    {
        var (diagnostics, errors, _) = await AnalyzersScene.AnalyzeAsync(AnalyzersScene.Snippet, CancellationToken.None);

        Assert.Empty(errors);
        var lines = AnalyzersScene.Snippet.Split('\n');
        var found = diagnostics.Select(d => (d.Id, Line: lines[d.Location.GetLineSpan().StartLinePosition.Line].Trim())).ToList();

        // The inversion at both of its acquisitions, and nothing else anywhere.
        Assert.Equal(2, found.Count(f => f.Id == "BRG2001"));
        Assert.Contains(found, f => f is { Id: "BRG2001" } && f.Line.StartsWith("public void Transfer()", StringComparison.Ordinal));
        Assert.Contains(found, f => f is { Id: "BRG2001" } && f.Line.StartsWith("public void Audit()", StringComparison.Ordinal));
        Assert.Contains(found, f => f is { Id: "BRG2002" } && f.Line.StartsWith("Parallel.For(", StringComparison.Ordinal));
        Assert.Contains(found, f => f is { Id: "BRG2003" } && f.Line.Contains(".Result", StringComparison.Ordinal));
        Assert.Contains(found, f => f is { Id: "BRG2004" } && f.Line.StartsWith("Parallel.ForEach(", StringComparison.Ordinal));
        Assert.Contains(found, f => f is { Id: "BRG2007" } && f.Line.StartsWith("try { await File.AppendAllTextAsync(", StringComparison.Ordinal));
        Assert.Contains(found, f => f is { Id: "BRG2008" } && f.Line.StartsWith("Task.Factory.StartNew(async", StringComparison.Ordinal));
        Assert.Equal(7, found.Count);
    }

    [Fact]
    public async Task Snippet_WithoutThePitfalls_IsNotFlagged()
    {
        // The same class written safely: one lock order, Interlocked, await, Parallel.ForEachAsync.
        const string safe = """
            using System.IO;
            using System.Net.Http;
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class Bank(HttpClient http)
            {
                private readonly object _checking = new();
                private readonly object _savings = new();
                private long _total;

                public void Transfer() { lock (_checking) { lock (_savings) { _total--; } } }

                public void Audit() { lock (_checking) { lock (_savings) { _total++; } } }

                public long Sum(long[] amounts)
                {
                    Parallel.For(0, amounts.Length, i => Interlocked.Add(ref _total, amounts[i]));
                    return Interlocked.Read(ref _total);
                }

                public Task<string> RateAsync(string currency) => http.GetStringAsync("https://rates.example/" + currency);

                public Task SaveAll(string[] names) =>
                    Parallel.ForEachAsync(names, async (name, ct) => await File.WriteAllTextAsync(name, "saved", ct));
            }
            """;

        var (diagnostics, errors, _) = await AnalyzersScene.AnalyzeAsync(safe, CancellationToken.None);

        Assert.Empty(errors);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task DemoJson_AnalyzersScene_DetectsEveryPitfallWithItsReport()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "analyzers");

        Assert.True(code == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var scene = Assert.Single(document.RootElement.GetProperty("scenes").EnumerateArray());
        Assert.Equal("analyzers", scene.GetProperty("id").GetString());
        Assert.True(scene.GetProperty("detected").GetBoolean(), scene.GetProperty("conclusion").GetString());
        Assert.True(scene.GetProperty("detectionMs").GetDouble() > 0);
        var report = scene.GetProperty("report").GetString()!;
        foreach (var id in AnalyzersScene.Expected)
        {
            Assert.Contains($": {id} ", report, StringComparison.Ordinal);
        }

        Assert.Contains("Bank.cs:", report, StringComparison.Ordinal);
    }
}
