using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>How wide <c>brigade run --exec</c> may go: what the machine can run, and what --jobs allows.</summary>
public sealed class ExecWidthTests
{
    [Fact]
    public void CommandLimit_IsAProcessCountFromTheCores_NotAutoModesThousand()
    {
        var limit = EngineResources.CommandLimit();

        Assert.InRange(limit, Environment.ProcessorCount, Environment.ProcessorCount * EngineResources.CommandsPerCore);
        Assert.True(limit < 1024 || Environment.ProcessorCount * EngineResources.CommandsPerCore >= 1024);
    }

    [Fact]
    public async Task WaitingCommands_WithJobs2_PlanSaysTheLimitOfTwo_NotCappedAt1024()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("items.txt"), Enumerable.Range(1, 8).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("items.txt"), "-x", "sleep 0.2; echo {}", "-j", "2");

        Assert.Equal(0, code);
        Assert.Equal(8, stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("×2", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("capped at 1024", stderr, StringComparison.Ordinal);
    }
}
