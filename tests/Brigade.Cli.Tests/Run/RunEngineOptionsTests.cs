namespace Brigade.Cli.Tests.Run;

/// <summary>An engine's own options given for another engine are usage errors, not silently ignored.</summary>
public sealed class RunEngineOptionsTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("--gateway", "30000", null)]
    [InlineData("--cluster-timeout", "10s", null)]
    [InlineData("--membership", "redis://localhost:6379", null)]
    [InlineData("--cluster-id", "mine", null)]
    [InlineData("--tls-cert", "client.pfx", null)]
    [InlineData("--gateway", "30000", "auto")]
    [InlineData("--cluster-timeout", "10s", "threads")]
    public async Task Run_ClusterOption_WithoutEngineCluster_IsAUsageError(string option, string value, string? engine)
    {
        // Before, `brigade run in.txt -x 'echo {}' --gateway 30000` ran every item on this machine, and said nothing.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a"]);
        string[] args = ["run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("out.txt"), option, value];

        var (code, _, stderr) = await CliRunner.RunAsync(engine is null ? args : [.. args, "--engine", engine]);

        Assert.Equal(2, code);
        Assert.Contains($"{option} applies with --engine cluster", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(dir.File("out.txt")));
    }
}
