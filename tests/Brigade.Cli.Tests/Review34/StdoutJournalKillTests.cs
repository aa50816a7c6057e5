namespace Brigade.Cli.Tests.Review34;

/// <summary>
/// <c>brigade run ... --journal J</c> with the results on stdout (or a pipe, a FIFO): the output cannot be truncated
/// on resume, so every result written past the journal's last watermark is written again by <c>--resume</c>. The
/// watermark lagged up to 0.1 s behind the writes, so a SIGKILL duplicated every result of that last 0.1 s (review
/// 34: 9 of 10 results twice); now a result that cannot be taken back is marked as soon as it is written.
/// </summary>
public sealed class StdoutJournalKillTests
{
    // Absolute paths: the resume runs in-process (CliRunner; a start of brigade until 2026-12-05), in the test host's
    // directory. Its results go to the writer it is given, as a process's go to its stdout: no --output to truncate.
    private static string Command(TempDirectory dir) => $"if [ {{}} -ge 10 ]; then sleep $(cat {dir.File("delay")}); fi; echo {{}}";

    [Fact(Timeout = 120_000)]
    public async Task Resume_AfterSigkill_WithResultsOnStdout_WritesAtMostTheLastResultAgain()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "60");
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(0, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        string[] args = ["run", dir.File("in.txt"), "-x", Command(dir), "-e", "threads", "-j", "16", "--journal", dir.File("j.journal"), "-q"];
        var first = new List<string>();
        using (var p = CliProcess.Start(dir.Path, args))
        {
            _ = p.StandardError.ReadToEndAsync();

            // Items 0-9 finish at once, 10 and 11 wait: kill as soon as the tenth result is read.
            while (first.Count < 10 && await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                first.Add(line);
            }

            p.Kill(); // SIGKILL to brigade alone, as the test simulates: its reaper (ExecReaper) then kills items 10 and 11's sleep 60
            await p.WaitForExitAsync();
        }

        Assert.Equal(10, first.Count);
        await File.WriteAllTextAsync(dir.File("delay"), "0");
        var (code, stdout, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);
        Assert.True(code == 0, stderr);

        var all = first.Concat(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var twice = all.GroupBy(l => l).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        // The kill may land between the last result's write and its watermark: that one result may come again.
        Assert.True(twice.Count <= 1, $"written twice: {string.Join(' ', twice)}");
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), all.Distinct());
    }
}
