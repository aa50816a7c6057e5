using Brigade.Samples.WorkTypes;

namespace Brigade.Cli.Tests.Review63Advise;

// Review 63, a user's work that fails under `brigade advise` (and `brigade run`). Before: a constructor that threw
// printed "brigade: TargetInvocationException: Exception has been thrown by the target of an invocation." (neither the
// type nor the reason), and items that threw "brigade: InvalidOperationException: GreetWork on auto: 1 failed, 0 not
// run: ...". Now one line names the work, the reason, and (for items) which item; exit 1, the work's own failure.
public sealed class AdviseUsersFailingWorkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(240);

    [Theory]
    [InlineData("advise", "--quick", "--engines", "sequential", "--input", "{input}")]
    [InlineData("run", "{input}")]
    public async Task AWorkTypeWhoseConstructorThrows_IsSaidInOneLine_WithTheTypeAndTheReason(params string[] args)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1", "2"]);
        var work = typeof(ThrowingConstructorWork);
        var (code, stdout, stderr) = await CliRunner.RunAsync(
            [args[0], "--assembly", work.Assembly.Location, "--work", work.FullName!, .. args[1..].Select(a => a.Replace("{input}", dir.File("n.txt"), StringComparison.Ordinal))]).WaitAsync(Bound);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"brigade: --work: {work.FullName}'s constructor threw InvalidOperationException: ACME_CONNECTION_STRING is not set", line);
    }

    [Fact]
    public async Task AdviseOnWorkWhoseItemsThrow_SaysWhichItemAndWhy_InOneLine_Exit1()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("people.jsonl"), ["""{"name":"A","age":1}""", """{"name":"B","age":-2}""", """{"name":"C","age":3}"""]);

        var (code, _, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--json", "--engines", "sequential", "--assembly", typeof(GreetWork).Assembly.Location,
            "--work", typeof(GreetWork).FullName!, "--input", dir.File("people.jsonl")).WaitAsync(Bound);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("brigade: GreetWork failed on 1 of 3 items on ", line, StringComparison.Ordinal);
        Assert.Contains("(the first: item 2 of --input, ArgumentOutOfRangeException: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdviseOnWorkWhoseStaticInitializerThrows_SaysTheInnerReason()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("n.txt"), ["1", "2"]);
        var work = typeof(Review47.R47SettingsWork);

        var (code, _, stderr) = await CliRunner.RunAsync(
            "advise", "--quick", "--engines", "sequential", "--assembly", work.Assembly.Location, "--work", work.FullName!,
            "--input", dir.File("n.txt")).WaitAsync(Bound);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"---> InvalidOperationException: {Review47.R47SettingsWork.Reason}", line, StringComparison.Ordinal);
    }
}
