using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review58Run;

/// <summary>
/// Run58: two <c>brigade run</c>s with different outputs and one <c>--journal</c> (or <c>--failures</c>). Only the output
/// was locked, so a run started while another used the journal was told "a journal from an earlier, unfinished run
/// exists ... delete it to start over" (the other run's live journal), with <c>--resume</c> that the output "is gone ...
/// delete the journal", and two started together failed with .NET's "The file '...' already exists", exit 1. Each would
/// truncate the shared file to its own watermark on a resume. The journal and failures file are now locked as the
/// output is. In-process: no <c>brigade</c> process, no command runs.
/// </summary>
public sealed class SharedJournalLockTests
{
    [Fact]
    public void ASecondRun_OnALiveJournal_WithAnotherOutput_IsRefusedNamingTheJournal()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("in.txt"), "1\n");
        var first = RunPaths.Resolve(dir.File("in.txt"), dir.File("a.txt"), null, dir.File("J.journal"), null, null, "echo {}");
        var second = RunPaths.Resolve(dir.File("in.txt"), dir.File("b.txt"), null, dir.File("J.journal"), null, null, "echo {}");
        using (RunLock.Take(first))
        {
            var refused = Assert.Throws<CliUsageException>(() => RunLock.Take(second));
            Assert.StartsWith($"another brigade run (pid {Environment.ProcessId}) is using the journal '{dir.File("J.journal")}'", refused.Message, StringComparison.Ordinal);
        }

        RunLock.Take(second).Dispose();
    }

    [Fact]
    public void ASecondRun_OnALiveFailuresFile_WithAnotherOutput_IsRefusedNamingIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("in.txt"), "1\n");
        var first = RunPaths.Resolve(dir.File("in.txt"), dir.File("a.txt"), dir.File("F.jsonl"), null, null, null, "echo {}");
        var second = RunPaths.Resolve(dir.File("in.txt"), dir.File("b.txt"), dir.File("F.jsonl"), null, null, null, "echo {}");
        using (RunLock.Take(first))
        {
            var refused = Assert.Throws<CliUsageException>(() => RunLock.Take(second));
            Assert.StartsWith($"another brigade run (pid {Environment.ProcessId}) is writing the failures file '{dir.File("F.jsonl")}'", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheCommand_OnAJournalAnotherRunHolds_ExitsTwo_InOneLine_TouchingNothing()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("in.txt"), "1\n2\n");
        var journal = dir.File("J.journal");
        // The other run's journal as it is while that run goes: a header and records.
        File.WriteAllText(journal, "{}\n");
        var other = RunPaths.Resolve(dir.File("in.txt"), dir.File("a.txt"), null, journal, null, null, "echo {}");
        using (RunLock.Take(other))
        {
            var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("b.txt"), "--journal", journal, "--quiet");

            Assert.Equal(2, code);
            Assert.Equal("", stdout);
            Assert.Equal($"brigade: another brigade run (pid {Environment.ProcessId}) is using the journal '{journal}'; wait for it to end, or give another --journal", stderr.TrimEnd());
            Assert.False(File.Exists(dir.File("b.txt")));
            Assert.Equal("{}\n", File.ReadAllText(journal));
        }
    }
}
