using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review60Lead;

/// <summary>
/// Review 60: <c>-j +2</c> ran 2 jobs where a GNU parallel script meant the cores plus two (int parsing accepts a sign), and
/// <c>-j -1</c> (every core but one) and <c>-j 50%</c> were refused. GNU parallel's forms now count from the cores.
/// </summary>
public sealed class JobsValueTests
{
    [Theory]
    [InlineData("3", 8, 3)]
    [InlineData("0", 8, 0)]
    [InlineData("+2", 8, 10)]
    [InlineData("+0", 2, 2)]
    [InlineData("-1", 8, 7)]
    [InlineData("-3", 2, 1)]
    [InlineData("50%", 8, 4)]
    [InlineData("200%", 2, 4)]
    [InlineData("10%", 2, 1)]
    public void GnuParallelsForms_CountFromTheCores(string text, int cores, int jobs) =>
        Assert.Equal(jobs, JobsValue.Evaluate(text, cores));

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("+")]
    [InlineData("%")]
    [InlineData("+-1")]
    [InlineData(" 2")]
    [InlineData("99999999999")]
    public void AnythingElse_IsNoNumberOfJobs(string text) => Assert.Null(JobsValue.Evaluate(text, 8));

    [Fact]
    public async Task PlusN_RunsTheCoresPlusN_AndABadValueSaysTheForms()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-j", "+1", "-e", "threads", "-o", dir.File("out.txt"));
        Assert.True(code == 0, stderr);
        Assert.Equal(["a", "b"], await File.ReadAllLinesAsync(dir.File("out.txt")));

        (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-j", "-1", "-o", dir.File("out2.txt"));
        Assert.True(code == 0, stderr);

        (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-j", "lots", "-o", dir.File("out3.txt"));
        Assert.Equal(2, code);
        Assert.Contains($"--jobs: 'lots' is not a number of jobs: give N (0: as many --exec commands as the system allows), or +N, -N or N% of the {Environment.ProcessorCount} cores", stderr, StringComparison.Ordinal);
    }
}
