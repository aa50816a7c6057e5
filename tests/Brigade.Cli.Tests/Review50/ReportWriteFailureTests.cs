namespace Brigade.Cli.Tests.Review50;

/// <summary>
/// Review 50: a run whose every item finished but whose <c>--report</c> (or <c>--trace</c>) could not be written at the end
/// (<c>/dev/full</c>, a disk that filled up) said "the run itself finished", yet kept its journal, printed no summary and
/// left an empty failures file: the same command was then refused as "a journal from an earlier, unfinished run". The run
/// now ends as a finished one (no journal, its summary), then says what could not be written, exit 1.
/// </summary>
public sealed class ReportWriteFailureTests
{
    [Fact(Timeout = 60_000)]
    public async Task AReportThatCannotBeWritten_FailsTheRun_ButTheRunEndsAsFinished()
    {
        if (!File.Exists("/dev/full"))
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);
        string[] run = ["run", dir.File("in.txt"), "-x", "echo {}", "-e", "sequential", "-o", dir.File("out.txt")];

        var (code, _, stderr) = await CliRunner.RunAsync([.. run, "--report", "/dev/full"]);

        Assert.True(code == 1, stderr);
        Assert.Equal(["a", "b"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Contains("brigade run: 2 items, 0 failed", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"brigade: cannot write --report '/dev/full': No space left on device (the run itself finished: 2 items, 0 failed){Environment.NewLine}", stderr, StringComparison.Ordinal);

        // Failed before: the journal was kept (and the empty failures file), and the same command was refused, exit 2.
        Assert.False(File.Exists(dir.File("out.txt.journal")), "the journal of a finished run was kept");
        Assert.False(File.Exists(dir.File("out.txt.failures.jsonl")), "an empty failures file was left");
        var (again, _, againErr) = await CliRunner.RunAsync([.. run, "--resume"]);
        Assert.True(again == 0, againErr);
        Assert.Contains("already complete", againErr, StringComparison.Ordinal);
    }
}
