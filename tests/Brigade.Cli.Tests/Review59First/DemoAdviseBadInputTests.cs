namespace Brigade.Cli.Tests.Review59First;

// Review 59, a new user's bad input to `brigade demo` and `brigade advise`. Before: `--trace DIR` and `--report
// /proc/x.html` ran the scenes and then failed with an exception's message (exit 1, the trace lost); `--cluster-timeout
// abc` and a missing --tls-cert file were accepted in silence without --membership/--gateway; `--only ""` ran the whole
// demo (or every advise workload); `advise --input DIR` said "not found". Each now fails at once: one line, exit 2.
public sealed class DemoAdviseBadInputTests
{
    [Theory]
    [InlineData("demo", "--only", "deadlock", "--trace", "{dir}")]
    [InlineData("demo", "--only", "deadlock", "--report", "/proc/brigade-review59.html")]
    [InlineData("demo", "--only", "deadlock", "--cluster-timeout", "abc")]
    [InlineData("demo", "--only", "deadlock", "--tls-cert", "/no/such/client.pfx")]
    [InlineData("demo", "--only", "")]
    [InlineData("demo", "--only", ",")]
    [InlineData("advise", "--only", "")]
    public async Task BadInput_FailsAtOnce_WithOneLine_AndExit2(params string[] args)
    {
        using var dir = new TempDirectory();
        args = args.Select(a => a.Replace("{dir}", dir.Path, StringComparison.Ordinal)).ToArray();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        // Before the fix the last three ran every scene or workload: the bound ends such a run (exit 130), far from the
        // fixed command's immediate usage error.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await CliApp.RunAsync(args, stdout, stderr, bound.Token);

        Assert.Equal(2, code);
        Assert.Equal("", stdout.ToString());
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("brigade: ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoTrace_ToANewFile_IsStillWritten_AfterTheCheckOpenedIt()
    {
        using var dir = new TempDirectory();
        var trace = dir.File("trace.json");
        var (code, _, stderr) = await CliRunner.RunAsync("demo", "--only", "deadlock", "--trace", trace);

        Assert.True(code == 0, stderr);
        Assert.True(new FileInfo(trace).Length > 0);
    }

    [Fact]
    public async Task AdviseInput_ADirectory_IsSaidToBeOne()
    {
        using var dir = new TempDirectory();
        var work = typeof(Brigade.Cli.Demo.Work.SleepWork);
        var (code, _, stderr) = await CliRunner.RunAsync("advise", "--assembly", work.Assembly.Location, "--work", work.FullName!, "--input", dir.Path);

        Assert.Equal(2, code);
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);
    }
}
