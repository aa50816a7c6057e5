namespace Brigade.Cli.Tests.Review34;

/// <summary>
/// Results finished behind a slow item (ordered output waits for it) are journaled as they finish, and the journal is
/// flushed at the next watermark tick: docs/run.md's "a pause behind a slow item loses nothing". Before, once the
/// whole input had been read, the tick found no new watermark and did not flush, so their records sat in memory for as
/// long as the slow item ran; a SIGKILL lost them and <c>--resume</c> ran those commands again (review 34).
/// </summary>
public sealed class JournalBehindSlowItemTests
{
    // Absolute paths: the resume runs in-process (CliRunner; a start of brigade until 2026-12-05), in the test host's directory.
    private static string Command(TempDirectory dir) =>
        $"echo {{}} >> {dir.File("ran.log")}; if [ {{}} = slow ]; then sleep $(cat {dir.File("delay")}); else sleep 1; fi; echo {{}}";

    [Fact(Timeout = 120_000)]
    public async Task Sigkill_WhileASlowItemHoldsTheOutput_ResumeDoesNotRunTheFinishedItemsAgain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "60");
        await File.WriteAllTextAsync(dir.File("in.txt"), "slow\nf1\nf2\n");
        string[] args = ["run", dir.File("in.txt"), "-x", Command(dir), "-e", "threads", "-j", "3", "-o", dir.File("out.txt"), "-q"];
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        using (var p = CliProcess.Start(dir.Path, state, args))
        {
            // Written within a tick (0.1 s) of finishing; the bound is only there so that a failure ends.
            var journal = dir.File("out.txt.journal");
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(File.Exists(journal) && File.ReadAllText(journal) is var text && text.Contains("\"t\":\"r\",\"i\":1", StringComparison.Ordinal) && text.Contains("\"t\":\"r\",\"i\":2", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, $"the finished items' results are not in the journal 30 s on: {(File.Exists(journal) ? File.ReadAllText(journal) : "(none)")}");
                await Task.Delay(50);
            }

            p.Kill();
            await p.WaitForExitAsync();
        }

        await File.WriteAllTextAsync(dir.File("delay"), "0");
        var (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        Assert.Equal("slow\nf1\nf2\n", await File.ReadAllTextAsync(dir.File("out.txt")));
        Assert.Equal(["f1", "f2", "slow", "slow"], (await File.ReadAllLinesAsync(dir.File("ran.log"))).Order(StringComparer.Ordinal));
    }
}
