using System.Collections.Concurrent;
using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review59Run;

/// <summary>
/// Run59: a resumed run's summary counted the failures that share one reason from this run alone. Three items failed with
/// "exit code 2: missing", the run was stopped, one of the rest was fixed and the run resumed: it said "6 items, 5 failed,
/// 2 of them with ..." (not "all with", the earlier three not counted at all). With the failures on stderr (output to
/// stdout, <c>--journal</c>) the earlier failures were not counted even in the total: "6 items, 2 failed", and a resume
/// whose own items all succeeded exited 0 though three items of the job had failed. Each watermark now journals how many
/// failures it covers, and the earlier failures' reasons are read back (the failures file, or the journal's records).
/// </summary>
public sealed class ResumedCommonFailureTests
{
    private const int SigTerm = 15;

    // a, b and c fail at once with the same reason; s1, s2 and s3 wait while the file "slow" exists, so the run is stopped
    // with three failures delivered and three commands running. Each fails unless ITEM.ok exists. Absolute paths: the
    // resume runs in-process (CliRunner), where the commands start in the test host's directory.
    private static string Command(TempDirectory dir) => $"case {{}} in s*) test -e {dir.Path}/slow && sleep 60;; esac; test -e {dir.Path}/{{}}.ok || {{ echo missing >&2; exit 2; }}";

    [Fact(Timeout = 180_000)]
    public async Task FailuresFile_ResumeAfterFixingOne_SummarySaysAllFailuresShareTheReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string[] args = ["run", dir.File("in.txt"), "-x", Command(dir), "-o", dir.File("out.txt"), "-e", "threads", "-j", "3"];
        await StopAfterThreeFailuresAsync(dir, args, () => File.Exists(dir.File("out.txt.failures.jsonl")) ? File.ReadAllLines(dir.File("out.txt.failures.jsonl")).Length : 0);

        var (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 1, stderr);
        Assert.Contains("brigade run: 6 items, 5 failed, all with \"exit code 2: missing\"", stderr, StringComparison.Ordinal);
        Assert.Equal(5, (await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl"))).Length);
    }

    [Fact(Timeout = 180_000)]
    public async Task JournalWithOutputToStdout_ResumeAfterFixingOne_CountsTheEarlierFailuresOnce()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string[] args = ["run", dir.File("in.txt"), "-x", Command(dir), "--journal", dir.File("j.journal"), "-e", "threads", "-j", "3"];
        await StopAfterThreeFailuresAsync(dir, args, null);

        var (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 1, stderr);
        Assert.Contains("brigade run: 6 items, 5 failed, all with \"exit code 2: missing\"", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    public async Task JournalWithOutputToStdout_ResumeWithNoNewFailure_StillExits1_AndNamesTheEarlierReason()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        string[] args = ["run", dir.File("in.txt"), "-x", Command(dir), "--journal", dir.File("j.journal"), "-e", "threads", "-j", "3"];
        await StopAfterThreeFailuresAsync(dir, args, null);
        foreach (var item in new[] { "s2", "s3" })
        {
            await File.WriteAllTextAsync(dir.File($"{item}.ok"), "");
        }

        var (code, stdout, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 1, $"exit {code}: {stderr}");
        Assert.Contains("brigade run: 6 items, 3 failed, all with \"exit code 2: missing\"", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    // Runs brigade on a, b, c, s1, s2, s3 until a, b and c have failed (read from the failures file when given, else from
    // the failure lines on stderr), stops it with SIGTERM, then fixes s1 and lets the rest run without waiting.
    private static async Task StopAfterThreeFailuresAsync(TempDirectory dir, string[] args, Func<int>? failuresWritten)
    {
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b", "c", "s1", "s2", "s3"]);
        await File.WriteAllTextAsync(dir.File("slow"), "");
        var failureLines = 0;
        using (var brigade = CliProcess.StartInOwnGroup(dir.Path, args))
        {
            var stderr = new ConcurrentQueue<string>();
            brigade.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    stderr.Enqueue(line);
                    if (line.StartsWith("{\"index\":", StringComparison.Ordinal))
                    {
                        Interlocked.Increment(ref failureLines);
                    }
                }
            };
            brigade.BeginErrorReadLine();
            brigade.StandardInput.Close();
            try
            {
                var clock = Stopwatch.StartNew();
                while ((failuresWritten?.Invoke() ?? Volatile.Read(ref failureLines)) < 3)
                {
                    Assert.False(brigade.HasExited, $"brigade exited early: {string.Join('\n', stderr)}");
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"three failures did not come within 60 s: {string.Join('\n', stderr)}");
                    await Task.Delay(25);
                }

                Assert.True(NativeMethods.KillProcessGroup(brigade.Id, SigTerm));
                await brigade.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.True(brigade.ExitCode == 143, $"exit {brigade.ExitCode}: {string.Join('\n', stderr)}");
            }
            finally
            {
                if (!brigade.HasExited)
                {
                    brigade.Kill();
                }
            }
        }

        File.Delete(dir.File("slow"));
        await File.WriteAllTextAsync(dir.File("s1.ok"), "");
    }
}
