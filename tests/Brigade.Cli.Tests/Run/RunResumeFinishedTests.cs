using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>--resume when there is no journal: the run finished, or never wrote anything. Idempotent, never a duplicate.</summary>
/// <remarks>
/// In-process (<see cref="CliRunner"/>; six starts of brigade until 2026-12-05): the record of a finished run goes to the
/// test host's state directory, under a name of this test's own journal (<see cref="CompletionRecord.PathFor"/>).
/// </remarks>
public sealed class RunResumeFinishedTests
{
    private static string[] Args(TempDirectory dir) =>
        ["run", dir.File("in.txt"), "-x", $"echo {{}} >> {dir.File("ran.log")}; echo {{}}", "-o", dir.File("out.txt"), "-e", "sequential"];

    [Fact(Timeout = 60_000)]
    public async Task Resume_OfAFinishedRun_SaysNothingToResume_RunsNothing_Twice()
    {
        // Regression: "--resume: no journal at ..." usage error (exit 2), so a retry script that always passes --resume failed.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2", "3"]);
        var (code, _, stderr) = await CliRunner.RunAsync(Args(dir));
        Assert.True(code == 0, stderr);

        for (var again = 0; again < 2; again++)
        {
            (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume"]);

            Assert.True(code == 0, stderr);
            Assert.Contains("already complete: 3 items, 0 failed; nothing to resume", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.TrimEnd().Split('\n'));
        }

        Assert.Equal(["1", "2", "3"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Equal(["1", "2", "3"], await File.ReadAllLinesAsync(dir.File("ran.log")));
        Assert.False(File.Exists(dir.File("out.txt.journal")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resume_OfAFinishedRunWhoseInputGrew_RunsOnlyTheNewItems()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2", "3"]);
        var (code, _, stderr) = await CliRunner.RunAsync(Args(dir));
        Assert.True(code == 0, stderr);

        await File.AppendAllLinesAsync(dir.File("in.txt"), ["4"]);
        (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume", "-q"]);

        Assert.True(code == 0, stderr);
        Assert.Equal(["1", "2", "3", "4"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Equal(["1", "2", "3", "4"], await File.ReadAllLinesAsync(dir.File("ran.log")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resume_NeverStarted_RunsFromTheBeginning_ButOutputsNothingAccountsFor_AreRefused()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2"]);

        var (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume"]);

        Assert.True(code == 0, stderr);
        Assert.Contains("nothing written yet: starting from the beginning", stderr, StringComparison.Ordinal);
        Assert.Equal(["1", "2"], await File.ReadAllLinesAsync(dir.File("out.txt")));

        // Results from elsewhere (no journal, no record of this run finishing): which items are done is unknown.
        var record = CompletionRecord.PathFor(dir.File("out.txt.journal"));
        Assert.True(File.Exists(record), $"no record of the finished run at {record}");
        File.Delete(record);
        (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume"]);

        Assert.Equal(2, code);
        Assert.Contains("which items are done is unknown", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal(["1", "2"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }
}
