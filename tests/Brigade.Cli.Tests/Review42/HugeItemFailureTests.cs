using System.Text.Json;

namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// A failed item whose line is huge: its failure line on stderr shows the item's start with a marker, not 10 MB per
/// failure on a terminal; the failures file, the record, keeps it whole (review 42).
/// </summary>
public sealed class HugeItemFailureTests
{
    // Before the fix, stderr got the whole 10 MB item in the failure's JSON line (and a terminal 10 MB per failure).
    [Fact]
    public async Task FailureOnStderr_ShowsTheStartOfAHugeItem_WithAMarker()
    {
        using var dir = new TempDirectory();
        var huge = new string('a', 10_000_000);
        await File.WriteAllTextAsync(dir.File("in.txt"), huge + "\nb\n");

        // Too long for a command line: the item fails alone, before it runs; the other runs.
        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-q");

        Assert.Equal(1, code);
        Assert.Equal("b\n", stdout);
        Assert.True(stderr.Length < 4_000, $"stderr holds {stderr.Length:N0} characters");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var json = JsonDocument.Parse(line);
        Assert.Equal(0, json.RootElement.GetProperty("index").GetInt64());
        Assert.Equal(new string('a', 1024) + "…", json.RootElement.GetProperty("input").GetString());
        Assert.Equal(
            "input of 10,000,000 characters, its first 1,024 shown (give --failures FILE to keep failures whole)",
            json.RootElement.GetProperty("truncated").GetString());
        Assert.Contains("the command line for this item is", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailuresFile_KeepsTheHugeItemWhole()
    {
        using var dir = new TempDirectory();
        var huge = new string('a', 3_000_000);
        await File.WriteAllTextAsync(dir.File("in.txt"), huge + "\nb\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("out.txt"), "-q");

        Assert.Equal(1, code);
        Assert.Equal("", stderr);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(dir.File("out.txt.failures.jsonl")));
        Assert.Equal(huge, json.RootElement.GetProperty("input").GetString());
        Assert.False(json.RootElement.TryGetProperty("truncated", out _));
    }
}
