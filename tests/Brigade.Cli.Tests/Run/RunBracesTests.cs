namespace Brigade.Cli.Tests.Run;

/// <summary>The shell's own braces in a command (awk, sed, jq programs) are treated the same whatever the input format.</summary>
public sealed class RunBracesTests
{
    [Theory]
    [InlineData("lines", "a\nb\n")]
    [InlineData("csv", "v\na\nb\n")]
    [InlineData("jsonlines", "{\"v\":\"a\"}\n{\"v\":\"b\"}\n")]
    public async Task Run_QuotedShellBraces_PassThrough_InEveryFormat(string format, string input)
    {
        // Regression: awk '{print}' worked with lines; with CSV it was a usage error ("names no column"), with JSON Lines
        // every item failed ("no property 'print'").
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in"), input);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in"), "--format", format, "-x", "echo {#} | awk '{print}' | sed 's/^/n=/'", "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal(["n=1", "n=2"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Theory]
    [InlineData("csv", "v\na\n")]
    [InlineData("jsonlines", "{\"v\":\"a\"}\n")]
    public async Task Run_FieldNamesAreFields_InsideQuotesOrNot_AndASpaceKeepsThemLiteral(string format, string input)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in"), input);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in"), "--format", format, "-x", "echo {v} \"{v}\" '{ v }'", "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal(["a a { v }"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact]
    public async Task Run_UnquotedWordNamingNoCsvColumn_IsAUsageError_WithTheQuotingHint()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.csv"), "v\na\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "-x", "echo {nmae}", "-o", dir.File("out.txt"), "-q");

        Assert.Equal(2, code);
        Assert.Contains("{nmae} names no column of the CSV header (v)", stderr, StringComparison.Ordinal);
        Assert.Contains("inside quotes", stderr, StringComparison.Ordinal);
    }
}
