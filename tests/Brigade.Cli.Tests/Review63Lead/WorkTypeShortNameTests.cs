using Brigade.Samples.WorkTypes;

namespace Brigade.Cli.Tests.Review63Lead;

/// <summary>
/// Review 63: <c>--work ParseOrder</c> for <c>Acme.ParseOrder</c>, as users type a type's name, was "no work type
/// 'ParseOrder' in UserWork.dll; it has: ..., Acme.ParseOrder, ...". A name without its namespace now finds the one work
/// type of that name; one that names several is a usage error listing them.
/// </summary>
public sealed class WorkTypeShortNameTests
{
    [Fact(Timeout = 60_000)]
    public async Task Run_WorkNamedWithoutItsNamespace_RunsTheOneWorkTypeOfThatName()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["3", "4"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("n.txt"), "--assembly", typeof(SquareWork).Assembly.Location, "--work", nameof(SquareWork), "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal(["9", "16"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_NameOfSeveralWorkTypes_IsAUsageErrorListingThem()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("n.txt"), "--assembly", typeof(TwinWorks).Assembly.Location, "--work", "Twin", "-q");

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"'Twin' names 2 work types", line, StringComparison.Ordinal);
        Assert.Contains(typeof(TwinWorks.Left.Twin).FullName!, line, StringComparison.Ordinal);
        Assert.Contains(typeof(TwinWorks.Right.Twin).FullName!, line, StringComparison.Ordinal);
    }
}
