using System.Diagnostics;
using System.Security.Cryptography;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class InputFingerprintTests
{
    [Fact]
    public void Snapshot_IsAnXxh128OfTheBytesRead_AndAFileThatBeginsWithThemMatches()
    {
        using var dir = new TempDirectory();
        var fingerprint = new InputFingerprint();
        fingerprint.Consume("one\n"u8, isItem: true);
        fingerprint.Consume("\n"u8, isItem: false);
        fingerprint.Consume("two\n"u8, isItem: true);

        var (bytes, items, hash) = fingerprint.Snapshot();

        Assert.Equal(9, bytes);
        Assert.Equal(2, items);
        Assert.Matches("^xxh128:[0-9a-f]{32}$", hash);
        File.WriteAllText(dir.File("in.txt"), "one\n\ntwo\nthree\n");
        Assert.True(InputFingerprint.PrefixMatches(dir.File("in.txt"), bytes, hash));

        File.WriteAllText(dir.File("edited.txt"), "one\n\nTWO\nthree\n");
        Assert.False(InputFingerprint.PrefixMatches(dir.File("edited.txt"), bytes, hash));

        File.WriteAllText(dir.File("short.txt"), "one\n\ntw");
        Assert.False(InputFingerprint.PrefixMatches(dir.File("short.txt"), bytes, hash));
    }

    [Fact]
    public void PrefixMatches_ChecksAJournalOfAnEarlierBrigade_WhichHeldASha256()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("in.txt"), "one\ntwo\nthree\n");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData("one\ntwo\n"u8));

        Assert.True(InputFingerprint.PrefixMatches(dir.File("in.txt"), 8, sha256));
        Assert.False(InputFingerprint.PrefixMatches(dir.File("in.txt"), 9, sha256));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resume_FindsTheCompletionRecordOfAnEarlierBrigade_KeyedBySha256()
    {
        // In-process (CliRunner): the record goes to the test host's state directory, under a name of this test's journal.
        using var dir = new TempDirectory();
        string[] args = ["run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("out.txt"), "-e", "sequential"];
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2"]);
        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.True(code == 0, stderr);

        // Rename the record as an earlier brigade named it (SHA-256 of the journal's path).
        var record = CompletionRecord.PathFor(dir.File("out.txt.journal"));
        Assert.True(File.Exists(record), $"no record of the finished run at {record}");
        var key = StableKey.LegacyOf(Path.GetFullPath(dir.File("out.txt.journal")));
        File.Move(record, Path.Combine(Path.GetDirectoryName(record)!, $"out.txt-{key}.complete"));

        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 0, stderr);
        Assert.Contains("already complete: 2 items, 0 failed; nothing to resume", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_WithAJournal_DoesNotLoadOpenSsl()
    {
        // SHA-256 on .NET is OpenSSL: ~5 MiB of memory and ~10 ms of start-up for every run, for a hash nobody forges.
        if (!OperatingSystem.IsLinux())
        {
            return; // reads /proc/PID/maps
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["marker"]);
        var state = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.File("state") };
        using var brigade = CliProcess.Start(dir.Path, state, "run", dir.File("in.txt"), "-x", $"touch {dir.File("started")}; sleep 30; echo {{}}", "-o", dir.File("out.txt"), "-q", "--timeout", "1m");
        try
        {
            var deadline = Stopwatch.StartNew();
            // The command names its item ({}), so nothing is appended to it: with "sleep 30 marker" the sleep failed at once,
        // the run ended and its journal was gone before the check below (it passed alone, and failed under load).
        // The journal is created beside the first command's start, not necessarily before it: wait for both.
            while ((!File.Exists(dir.File("started")) || !File.Exists(dir.File("out.txt.journal"))) && deadline.Elapsed < TimeSpan.FromSeconds(40) && !brigade.HasExited)
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(dir.File("started")), "the command never started: " + (brigade.HasExited ? await brigade.StandardError.ReadToEndAsync() : "still waiting"));
            Assert.True(File.Exists(dir.File("out.txt.journal")), "the run has a journal by now");
            var maps = await File.ReadAllTextAsync($"/proc/{brigade.Id}/maps");
            Assert.DoesNotContain("libcrypto", maps, StringComparison.Ordinal);
            Assert.DoesNotContain("libssl", maps, StringComparison.Ordinal);
        }
        finally
        {
            brigade.Kill(entireProcessTree: true);
            await brigade.WaitForExitAsync();
        }
    }
}
