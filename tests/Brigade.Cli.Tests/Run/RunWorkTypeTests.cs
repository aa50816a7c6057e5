using System.Text.Json;
using Brigade.Samples.WorkTypes;

namespace Brigade.Cli.Tests.Run;

/// <summary>brigade run --assembly PATH --work TYPE, in this process and on worker processes.</summary>
public sealed class RunWorkTypeTests
{
    private static readonly string Assembly = typeof(GreetWork).Assembly.Location;

    [Theory(Timeout = 120_000)]
    [InlineData("threadpool")]
    [InlineData("processes")]
    public async Task Run_WorkType_ConvertsItems_WritesResultsInOrder_AndReportsFailuresWithLines(string engine)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("people.jsonl"),
        [
            """{"name":"Ada","age":36}""",
            """{"name":"Bob","age":-1}""",
            """{"name":"Cy","age":"three"}""",
            """{"name":"Di","age":7}""",
        ]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("people.jsonl"), "--assembly", Assembly, "--work", typeof(GreetWork).FullName!, "-e", engine, "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 1, stderr);
        Assert.Equal(["Hello, Ada (36)!", "Hello, Di (7)!"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failures = File.ReadAllLines(dir.File("out.txt.failures.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        Assert.Equal([1L, 2], failures.Select(f => f.GetProperty("index").GetInt64()));
        Assert.StartsWith("ArgumentOutOfRangeException: ", failures[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("line 3: the item is not a valid Person", failures[1].GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_WorkType_NumbersFromLines_JsonResults()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["3", "4", "12"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("n.txt"), "--assembly", Assembly, "--work", typeof(SquareWork).FullName!, "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 0, stderr);
        Assert.Equal(["9", "16", "144"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Theory]
    [InlineData("--work", "No.Such.Work")]
    [InlineData("--work", "Brigade.Samples.WorkTypes.Person")]
    public async Task Run_UnknownOrInvalidWorkType_IsAUsageErrorNamingTheTypesThereAre(string option, string value)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("n.txt"), "--assembly", Assembly, option, value);

        Assert.Equal(2, code);
        Assert.Contains("--work", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("constructor", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("--exec", "echo {}", "-e", "processes")]
    [InlineData("--work", "X")]
    [InlineData("--exec", "echo {}", "--assembly", "a.dll", "--work", "X")]
    public async Task Run_ContradictoryWorkOptions_AreUsageErrors(params string[] args)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1"]);

        var (code, _, stderr) = await CliRunner.RunAsync(["run", dir.File("n.txt"), .. args]);

        Assert.Equal(2, code);
        Assert.StartsWith("brigade: ", stderr, StringComparison.Ordinal);
    }
}
