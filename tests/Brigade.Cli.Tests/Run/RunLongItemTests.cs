using System.Text.Json;

namespace Brigade.Cli.Tests.Run;

/// <summary>An item too long for a command line fails alone, with its index and the reason; the run goes on.</summary>
public sealed class RunLongItemTests
{
    [Fact(Timeout = 60_000)]
    public async Task Run_ItemLongerThanOneArgumentMayBe_FailsWithIndexAndReason_OthersRun()
    {
        // Regression: a 200 KB item (Linux takes 128 KiB in one argument, MAX_ARG_STRLEN) failed with the launcher's
        // E2BIG, "Argument list too long", naming neither the limit nor what to do.
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", new string('x', 200_000), "b"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "printf '%s\\n' {} | wc -c", "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 1, stderr);
        Assert.Equal(["2", "2"], (await File.ReadAllLinesAsync(dir.File("out.txt"))).Select(l => l.Trim()));
        var failure = JsonDocument.Parse(Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")))).RootElement;
        Assert.Equal(1, failure.GetProperty("index").GetInt64());
        var error = failure.GetProperty("error").GetString()!;
        Assert.Contains("200,0", error, StringComparison.Ordinal);
        Assert.Contains("131,072", error, StringComparison.Ordinal);
        Assert.Contains("MAX_ARG_STRLEN", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Argument list too long", error, StringComparison.Ordinal);
    }
}
