namespace Brigade.Cli.Tests.Review50;

/// <summary>
/// Review 50: <c>--null</c> on an input whose name ends in <c>.csv</c>, <c>.jsonl</c> or <c>.ndjson</c>, without
/// <c>--format</c>, was refused with "it does not combine with --format csv", an option the user never gave: the
/// extension's guess (auto) overruled the separator they asked for. <c>--null</c> now makes an auto format plain items,
/// as <c>xargs -0</c> reads any file; an explicit <c>--format csv</c> with it is still refused.
/// </summary>
public sealed class NullSeparatedAutoFormatTests
{
    [Fact(Timeout = 60_000)]
    public async Task Null_OnACsvNamedFile_WithoutFormat_SplitsAtNulBytes()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("files.csv"), "a,b\0c d\0"u8.ToArray());

        // Failed before: exit 2, "--null separates items by NUL bytes; it does not combine with --format csv".
        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("files.csv"), "-0", "-x", "echo [{}]", "-e", "sequential", "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal("[a,b]\n[c d]\n", stdout);
    }

    [Fact(Timeout = 60_000)]
    public async Task Null_WithAnExplicitCsvFormat_IsStillAUsageError()
    {
        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.File("files.csv"), "a,b\0"u8.ToArray());

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("files.csv"), "-0", "--format", "csv", "-x", "echo {}", "-q");

        Assert.Equal(2, code);
        Assert.Contains("does not combine with --format csv", stderr, StringComparison.Ordinal);
    }
}
