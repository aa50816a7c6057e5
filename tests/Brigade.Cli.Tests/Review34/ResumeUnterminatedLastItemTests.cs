namespace Brigade.Cli.Tests.Review34;

/// <summary>
/// An input whose last line had no line end when the run read it, and was extended since (<c>echo more &gt;&gt; in.txt</c>
/// on a file without its final newline): the input still begins with the bytes read, but the last item read is not an
/// item any more. <c>--resume</c> reused its result and never ran the item the input now holds (review 34).
/// Only the run that is killed is a process of its own; the others run in-process (<see cref="CliRunner"/>): what is
/// checked is the files and the exit code (five starts of brigade fewer since 2026-12-05).
/// </summary>
public sealed class ResumeUnterminatedLastItemTests
{
    // Absolute paths: the runs that need no process of their own run in-process (CliRunner), in the test host's directory.
    private static string Command(TempDirectory dir) =>
        $"echo {{}} >> {dir.File("ran.log")}; if [ {{}} = slow ]; then sleep $(cat {dir.File("delay")}); fi; echo {{}}";

    private static string[] Args(TempDirectory dir) =>
        ["run", dir.File("in.txt"), "-x", Command(dir), "-e", "threads", "-j", "2", "-o", dir.File("out.txt"), "-q"];

    private static Dictionary<string, string> State(TempDirectory dir) => new() { ["XDG_STATE_HOME"] = dir.File("state") };

    [Fact(Timeout = 60_000)]
    public async Task Resume_OfAFinishedRun_WhoseUnterminatedLastLineWasExtended_IsRefused()
    {
        // Before: exit 0, out.txt "1 2 3 5" (the "3" of an item that is now "34"), and "34" never ran.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "0");
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3");
        var (code, _, stderr) = await CliRunner.RunAsync(Args(dir));
        Assert.True(code == 0, stderr);

        await File.AppendAllTextAsync(dir.File("in.txt"), "4\n5\n");
        (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume"]);

        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains("without a line end", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Equal("1\n2\n3\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resume_OfAFinishedRun_WhoseUnterminatedLastLineGotOnlyItsLineEnd_RunsTheAppendedItems()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "0");
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3");
        var (code, _, stderr) = await CliRunner.RunAsync(Args(dir));
        Assert.True(code == 0, stderr);

        await File.AppendAllTextAsync(dir.File("in.txt"), "\r\n4\n");
        (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume"]);

        Assert.True(code == 0, $"exit {code}: {stderr}");
        Assert.Equal("1\n2\n3\n4\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Resume_OfAnInterruptedRun_WhoseUnterminatedLastLineWasExtended_IsRefused()
    {
        // Before: exit 0 and out.txt "slow fast": the result of "fast" reused for the item "faster", which never ran.
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("delay"), "60");
        await File.WriteAllTextAsync(dir.File("in.txt"), "slow\nfast");
        using (var p = CliProcess.Start(dir.Path, State(dir), Args(dir)))
        {
            // The last item's result and a watermark that fingerprints all 9 bytes read, while "slow" still runs.
            var journal = dir.File("out.txt.journal");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(File.Exists(journal) && File.ReadAllText(journal) is var text && text.Contains("\"t\":\"r\",\"i\":1", StringComparison.Ordinal) && text.Contains("\"ib\":9", StringComparison.Ordinal)))
            {
                Assert.True(DateTime.UtcNow < deadline, "no watermark for the whole input in 60 s");
                await Task.Delay(50);
            }

            p.Kill();
            await p.WaitForExitAsync();
        }

        await File.WriteAllTextAsync(dir.File("delay"), "0");
        await File.AppendAllTextAsync(dir.File("in.txt"), "er\n");
        var (code, _, stderr) = await CliRunner.RunAsync([.. Args(dir), "--resume"]);

        Assert.True(code == 2, $"exit {code}: {stderr}; out: {await File.ReadAllTextAsync(dir.File("out.txt"))}");
        Assert.Contains("without a line end", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("out.txt.journal")));
    }
}
