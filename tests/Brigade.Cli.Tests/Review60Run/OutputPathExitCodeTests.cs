namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: a bad output path is a usage error (exit 2, one line, nothing run or created), however it is bad. Before,
/// <c>-o /tmp</c> (a directory) and <c>-o /nonexist/x</c> exited 2, while <c>-o /proc/x</c> exited 1 ("no such file"),
/// <c>-o /sys/x</c> and a read-only directory 1, and <c>-o /proc/self/status</c> ran every command and then failed, exit 1,
/// "Invalid argument": a file of /proc or /sys is the kernel's, and takes no results.
/// </summary>
public sealed class OutputPathExitCodeTests
{
    [Theory]
    [InlineData("--output", "/proc/brigade-run60-x")]
    [InlineData("--output", "/proc/self/status")]
    [InlineData("--output", "/proc/1/brigade-run60-x")]
    [InlineData("--output", "/sys/brigade-run60-x")]
    [InlineData("--output", "/sys/kernel/brigade-run60-x")]
    [InlineData("--failures", "/proc/self/status")]
    [InlineData("--journal", "/sys/brigade-run60-j")]
    [InlineData("--report", "/proc/self/comm")]
    public async Task KernelFileSystemPath_IsAUsageError_BeforeAnyCommandRuns(string option, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\n");
        string[] output = option == "--output" ? [] : ["-o", dir.File("out.txt")];

        var (code, stdout, stderr) = await CliRunner.RunAsync(["run", dir.File("in.txt"), "-x", $"echo {{}} >> {dir.File("ran.txt")}", .. output, option, path, "-q"]);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"brigade: {option}", stderr, StringComparison.Ordinal);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(dir.File("ran.txt")));
        Assert.False(File.Exists(dir.File("out.txt")));
    }

    [Fact]
    public async Task DescriptorOfProc_IsStillAnOutput()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");

        // /proc/self/fd/1 is stdout (the test host's own: the results are written there, not to a file of /proc).
        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", "/proc/self/fd/1", "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal("a\n", stdout);
    }
}
