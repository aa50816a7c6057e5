namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A program that does not exist, run directly: its failure says so once. Before: "exit code 127: command not found:
/// nosuchprog: not found" (review 37).
/// </summary>
public sealed class MissingProgramTests
{
    [Fact(Timeout = 60_000)]
    public async Task MissingProgram_FailureSaysCommandNotFound_Once()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        // Named by the item: a program the command names itself is refused before the run since run56 (RunPreflightTests).
        await File.WriteAllTextAsync(dir.File("in.txt"), "brigade-no-such-program-37\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "{} 1", "-q");

        Assert.Equal(1, code);
        Assert.Contains("\"error\":\"exit code 127: command not found: brigade-no-such-program-37\"", stderr, StringComparison.Ordinal);
    }
}
