namespace Brigade.Cli.Tests.Review34;

/// <summary>
/// An empty path (<c>brigade run "$IN" ...</c> with <c>IN</c> unset, <c>-o ""</c>) is a usage error naming the option,
/// exit 2. Before, .NET's "ArgumentException: The value cannot be an empty string. (Parameter 'path')", exit 1 (review 34).
/// </summary>
public sealed class EmptyPathTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("the input", null)]
    [InlineData("--output", "-o")]
    [InlineData("--failures", "--failures")]
    [InlineData("--journal", "--journal")]
    [InlineData("--report", "--report")]
    [InlineData("--trace", "--trace")]
    public async Task Run_WithAnEmptyPath_IsAUsageError_NamingIt(string named, string? option)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");
        string[] args = option is null
            ? ["run", "", "-x", "echo {}"]
            : ["run", dir.File("in.txt"), "-x", "echo {}", option, ""];

        var (code, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.Contains($"{named}: the path is empty", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }
}
