namespace Brigade.Cli.Tests.Review34c;

/// <summary>
/// Review 34's <c>--resume</c> refuses an input whose unterminated last line was extended since it was read (that
/// item's result is not the item's any more). A blank unterminated last line (<c>"a\n  "</c>) is no item, though:
/// nothing ran for it, and the line it becomes once appended to is a new item that --resume runs. It was refused
/// (review 34c), the message saying the input "ended without a line end after its last item", which it did not.
/// In-process (<see cref="CliRunner"/>): what is checked is the files and the exit code, the same from a process (eight
/// starts of brigade until 2026-12-05).
/// </summary>
public sealed class ResumeBlankUnterminatedTailTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("in.txt", "a\n  ", "b\n")]
    [InlineData("in.txt", "a\r\n \t", "b\r\n")]
    [InlineData("in.jsonl", "{\"v\":\"a\"}\n ", "{\"v\":\"b\"}\n")]
    public async Task Resume_AfterABlankUnterminatedLastLineWasAppendedTo_RunsTheNewItem(string name, string before, string appended)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File(name), before);
        var command = name.EndsWith(".jsonl", StringComparison.Ordinal) ? "echo {v}" : "echo {}";
        string[] args = ["run", dir.File(name), "-x", command, "-e", "sequential", "-o", dir.File("out.txt"), "-q"];
        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.True(code == 0, stderr);

        await File.AppendAllTextAsync(dir.File(name), appended);
        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        // The new item is the blank line's bytes and what was appended: "  b" (echo of a JSON field: "b").
        var expected = "a\n" + (command == "echo {}" ? before[(before.LastIndexOf('\n') + 1)..] : "") + "b\n";
        Assert.Equal(expected, await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resume_AfterALastItemWasExtended_IsStillRefused()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n  b");
        string[] args = ["run", dir.File("in.txt"), "-x", "echo {}", "-e", "sequential", "-o", dir.File("out.txt"), "-q"];
        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.True(code == 0, stderr);

        await File.AppendAllTextAsync(dir.File("in.txt"), "c\n");
        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.Equal(2, code);
        Assert.Contains("extended", stderr, StringComparison.Ordinal);
    }
}
