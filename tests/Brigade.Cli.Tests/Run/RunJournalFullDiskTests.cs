using System.Diagnostics;

namespace Brigade.Cli.Tests.Run;

/// <summary>A journal on a disk that fills up mid-run (a real ENOSPC: a 64 KiB tmpfs in a private mount namespace).</summary>
public sealed class RunJournalFullDiskTests
{
    [Fact(Timeout = 120_000)]
    public async Task Run_JournalDiskFills_OneLineExit1_KeepsResultsAndAConsistentJournal_ResumeCompletes()
    {
        // Regression: the journal's ENOSPC was thrown on its timer thread: an unhandled exception with a stack trace.
        using var dir = new TempDirectory();
        if (!await CanMountTmpfsAsync(dir))
        {
            return; // needs root or user namespaces (unshare -rm); the check is Linux's
        }

        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 40).Select(i => $"{i}"));
        Directory.CreateDirectory(dir.File("fs"));
        Directory.CreateDirectory(dir.File("saved"));

        // Each result is 3,000 bytes and is journaled (ordered output): 40 of them do not fit in 64 KiB. Each command
        // takes 50 ms, so the disk fills (after ~21 items, ~1 s) well after the first watermark (every 100 ms): a run
        // that fills it before any watermark has nothing to resume and says only why it stopped.
        string[] args = ["run", dir.File("in.txt"), "-x", "sleep 0.05; printf '%03d%02997d\\n' {} 0; echo {} >> " + dir.File("ran.log"),
            "-o", dir.File("out.txt"), "--journal", dir.File("fs/run.journal"), "-e", "sequential", "-q"];
        var (code, _, stderr) = await InTmpfsAsync(dir, "size=64k", restore: false, args);

        Assert.Equal(1, code);
        Assert.Contains($"cannot write the journal '{dir.File("fs/run.journal")}': No space left on device", stderr, StringComparison.Ordinal);
        Assert.Contains("--resume", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("saved/run.journal")), "the journal is kept for --resume");
        var kept = await File.ReadAllLinesAsync(dir.File("out.txt"));
        Assert.Equal(Enumerable.Range(1, kept.Length).Select(i => $"{i:000}"), kept.Select(l => l[..3]));

        // With room again, --resume ends with the output an uninterrupted run gives.
        (code, _, stderr) = await InTmpfsAsync(dir, "size=8m", restore: true, [.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"{i:000}"), (await File.ReadAllLinesAsync(dir.File("out.txt"))).Select(l => l[..3]));
        Assert.All(await File.ReadAllLinesAsync(dir.File("out.txt")), l => Assert.Equal(3000, l.Length));
    }

    private static async Task<bool> CanMountTmpfsAsync(TempDirectory dir)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/unshare"))
        {
            return false;
        }

        Directory.CreateDirectory(dir.File("probe"));
        var (code, _, _) = await ShellAsync($"mount -t tmpfs -o size=64k tmpfs '{dir.File("probe")}'");
        return code == 0;
    }

    // brigade with dir/fs a tmpfs of its own (gone when it exits: its contents are copied to dir/saved, and back with restore).
    private static Task<(int Code, string Stdout, string Stderr)> InTmpfsAsync(TempDirectory dir, string mountOptions, bool restore, string[] args)
    {
        var fs = dir.File("fs");
        var saved = dir.File("saved");
        var brigade = string.Join(' ', new[] { "dotnet", CliProcess.CliDll }.Concat(args).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        return ShellAsync(
            $"mount -t tmpfs -o {mountOptions} tmpfs '{fs}' || exit 99; {(restore ? $"cp -a '{saved}'/. '{fs}'/; " : "")}" +
            $"{brigade} < /dev/null; rc=$?; rm -rf '{saved}'/*; cp -a '{fs}'/. '{saved}'/; exit $rc");
    }

    private static async Task<(int Code, string Stdout, string Stderr)> ShellAsync(string script)
    {
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-m", "--propagation", "private", "sh", "-c", script })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
