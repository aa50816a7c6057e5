namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// <c>--format</c> (brigade run, brigade advise) with a value that is not a format: one line listing the formats, exit
/// 2. Before, the parser's message named .NET's type (<c>as expected type 'Brigade.Cli.Run.InputFormat'</c>) and the
/// enum's members in their C# spelling; and a number (<c>--format 7</c>) was taken as a format that does not exist and
/// read as lines (review 37).
/// </summary>
public sealed class EnumOptionTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("run", "xml")]
    [InlineData("run", "7")]
    [InlineData("run", "0")]
    [InlineData("advise", "xml")]
    public async Task Format_NotAFormat_OneLineListingTheFormats(string command, string value)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");
        string[] args = command == "run"
            ? ["run", dir.File("in.txt"), "-x", "echo {}", "--format", value]
            : ["advise", "--format", value];

        var (code, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains($"--format: '{value}' is not a format; give auto, lines, jsonlines, csv", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Brigade.Cli", stderr, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("CSV")]
    [InlineData("JsonLines")]
    [InlineData("lines")]
    public async Task Format_AFormatInAnyCase_IsTaken(string value)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "\"x\"\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "true", "--format", value, "-q");

        Assert.True(code == 0, stderr);
    }
}
