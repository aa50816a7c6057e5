using System.Globalization;
using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review34c;

/// <summary>
/// An output brigade writes without cutting it back (<c>--failures /dev/stderr</c>, <c>-o /dev/fd/3</c> with <c>3&gt;&gt; log</c>:
/// review 34 made these append instead of reopening and truncating) is like stdout: <c>--resume</c> cannot take back
/// what was written past the journal's last watermark, so it writes it again. Only <c>-o</c> on stdout or a pipe was
/// marked as soon as it was written; these waited for the 0.1 s tick, and a kill in between left the record twice
/// (review 34c: <c>--failures /dev/stderr 2&gt;&gt; err.log</c>, a failure record written again by --resume). A record
/// larger than the file buffer is written at once, so it reaches the file with no watermark behind it.
/// </summary>
public sealed class AppendedDescriptorWatermarkTests
{
    [Fact(Timeout = 60_000)]
    public async Task Failures_OnAnAppendedDescriptor_AreWatermarkedAsSoonAsWritten()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await using var log = new FileStream(dir.File("err.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var descriptor = "/dev/fd/" + log.SafeFileHandle.DangerousGetHandle().ToInt32().ToString(CultureInfo.InvariantCulture);
        var big = new string('x', 100_000);

        var journal = DeliverOne(dir, dir.File("out.txt"), descriptor, big, failed: true);

        Assert.Contains(big, await File.ReadAllTextAsync(dir.File("err.log")), StringComparison.Ordinal);
        Assert.Contains("\"upto\":1", journal, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Output_OnAnAppendedDescriptor_IsWatermarkedAsSoonAsWritten()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await using var log = new FileStream(dir.File("out.log"), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        var descriptor = "/dev/fd/" + log.SafeFileHandle.DangerousGetHandle().ToInt32().ToString(CultureInfo.InvariantCulture);
        var big = new string('y', 100_000);

        var journal = DeliverOne(dir, descriptor, dir.File("failures.jsonl"), big, failed: false);

        Assert.Contains(big, await File.ReadAllTextAsync(dir.File("out.log")), StringComparison.Ordinal);
        Assert.Contains("\"upto\":1", journal, StringComparison.Ordinal);
    }

    // Delivers one result (or failure) of a one-item input and returns the journal as it is right after, with no tick.
    private static string DeliverOne(TempDirectory dir, string output, string failures, string text, bool failed)
    {
        File.WriteAllText(dir.File("in.txt"), "a\n");
        var options = new RunJobOptions { Input = dir.File("in.txt"), Work = new NoWork(), Engine = Engine.Sequential, Quiet = true };
        var paths = RunPaths.Resolve(options.Input, output, failures, dir.File("j"), null, null, "none");
        var outputs = new RunOutputs(options, paths, new RunCounters(), TextWriter.Null, TextWriter.Null);
        var fingerprint = new InputFingerprint();
        fingerprint.Consume("a\n"u8, isItem: true);
        outputs.Open(new JournalRecord { Kind = "h", Version = 2, Input = options.Input, Work = "none", Ordered = true, Format = "lines" }, null, 0, null, fingerprint);
        try
        {
            outputs.Deliver(new InputItem(0, 1, failed ? text : "a"), failed ? null : Encoding.UTF8.GetBytes(text + "\n"), failed ? "exit code 3" : null);
            using var reader = new StreamReader(new FileStream(dir.File("j"), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
            return reader.ReadToEnd();
        }
        finally
        {
            outputs.Close(runFailed: true, resumed: false);
        }
    }

    private sealed class NoWork : JobWork
    {
        public override string Description => "none";

        public override object Prepare(InputItem item) => item.Text;

        public override JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<PreparedItem, byte[]?, string?> onCompleted) =>
            throw new NotSupportedException();
    }
}
