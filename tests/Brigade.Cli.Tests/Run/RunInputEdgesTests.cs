using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// run54, what run52 left of <c>brigade run</c>'s input and errors: Unicode blank lines in the progress total, an input file
/// that shrank while it was read, the limit the oversized note names, an unwritable output whose check passed. In-process:
/// no <c>brigade</c> process started.
/// </summary>
public sealed class RunInputEdgesTests
{
    private static async Task<List<InputItem>> ReadAsync(Stream input, InputFormat format = InputFormat.Lines, long? limit = null)
    {
        InputReader.RecordLimitOverride.Value = limit; // this async flow only
        var items = new List<InputItem>();
        await foreach (var item in InputReader.ReadAsync(input, format))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact(Timeout = 60_000)]
    public async Task UnicodeBlankLines_AreSkipped_AndNotCounted_InTheProgressTotal()
    {
        // Failed before: CountLines took only ASCII blanks, so the NBSP, ideographic-space and em-space lines (skipped as
        // blank by the reader) each counted: a total of 8 for 4 items. And a 120-byte line of NBSPs over a 100-byte limit
        // was an item (failed, too long) where a short one is a blank line.
        using var dir = new TempDirectory();
        var bytes = new List<byte>();
        void Line(string text, bool end = true)
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(text));
            if (end)
            {
                bytes.Add((byte)'\n');
            }
        }

        Line("a");
        Line("\u00A0");
        Line(" \u3000\t\r");
        Line("\u2003x");             // white space, then a letter: an item
        bytes.AddRange([0xC2, 0x0A]); // half a character: not UTF-8, an item (as the reader decodes it, never white space)
        Line(new string('\u00A0', 60)); // 120 bytes of blanks: over the limit below, still a blank line
        Line("b");
        Line("\u2028\u0085", end: false);
        await File.WriteAllBytesAsync(dir.File("in.txt"), bytes.ToArray());

        await using var input = File.OpenRead(dir.File("in.txt"));
        var items = await ReadAsync(input, limit: 100);

        Assert.Equal(["a", "\u2003x", "\uDCC2", "b"], items.Select(static i => i.Text));
        Assert.All(items, static i => Assert.Null(i.Malformed));
        Assert.Equal(items.Count, InputReader.CountLines(dir.File("in.txt"), nullSeparated: false));
    }

    [Theory(Timeout = 60_000)]
    [InlineData(nameof(InputFormat.Lines), "a\nb\npar", "par")]
    [InlineData(nameof(InputFormat.JsonLines), "1\n2\n33", "33")]
    [InlineData(nameof(InputFormat.Csv), "n,v\n1,a\n2,b\n3,pa", "3,pa")]
    public async Task AFileThatShrankWhileItWasRead_FailsItsCutLastLine_Unrun(string formatName, string content, string cut)
    {
        var format = Enum.Parse<InputFormat>(formatName);
        // Failed before: the last line of a file cut short while it was read ran as an item like any other ("par" of
        // "path"): nothing said the input had changed. The stream says the file had 1,000 bytes when the read began.
        var items = await ReadAsync(new ShrunkStream(Encoding.UTF8.GetBytes(content), lengthAtStart: 1_000), format);

        var last = items[^1];
        Assert.Equal(cut, last.Text);
        Assert.True(last.CutShort);
        Assert.Contains("the input file shrank while it was read (it had 1,000 bytes when the read began", last.Malformed, StringComparison.Ordinal);
        Assert.All(items.SkipLast(1), static i => Assert.Null(i.Malformed));

        // A file of that size that did not shrink: its last line without a line end runs, as always.
        var whole = await ReadAsync(new ShrunkStream(Encoding.UTF8.GetBytes(content), lengthAtStart: Encoding.UTF8.GetByteCount(content)), format);
        Assert.All(whole, static i => Assert.Null(i.Malformed));
        Assert.Equal(items.Count, whole.Count);
    }

    [Fact]
    public void TheOversizedNote_NamesTheLimitTheRecordsWereReadWith()
    {
        // Failed before: "over the 16 MiB limit" whatever the limit was.
        var wall = TimeSpan.FromSeconds(4);
        Assert.Contains("over the 100-byte limit", BatchJob.OversizedNote(1, 2, TimeSpan.FromSeconds(3), wall, 100), StringComparison.Ordinal);
        Assert.Contains("over the 1 MiB limit", BatchJob.OversizedNote(1, 2, TimeSpan.FromSeconds(3), wall, 1L << 20), StringComparison.Ordinal);
        Assert.Contains("over the 16 MiB limit", BatchJob.OversizedNote(1, 2, TimeSpan.FromSeconds(3), wall), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnOutputWhereNoFileCanBeCreated_IsNamed_NotItsJournal()
    {
        // Failed before (as root, whom access(2) lets write anywhere, so the check before the run passed): "cannot write the
        // journal '/sys/...journal': permission denied", a file the user never named. sysfs creates no file for anyone.
        if (!Directory.Exists("/sys/kernel"))
        {
            return; // not Linux: no sysfs
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\n");
        var output = "/sys/brigade-run54-" + Guid.NewGuid().ToString("N")[..8];

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", output);

        // Since run60 a path in /sys is refused before its journal is tried (exit 2): the kernel's files take no results.
        Assert.Equal(2, code);
        Assert.Contains($"--output: '{output}' is in /sys", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot write the journal", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    // A regular file's stream as the reader sees it when another program truncated the file after it was opened: its
    // length was lengthAtStart when the read began, and the reads end at the bytes it still has.
    private sealed class ShrunkStream(byte[] content, long lengthAtStart) : Stream
    {
        private readonly MemoryStream _inner = new(content);
        private bool _read;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => _read ? _inner.Length : lengthAtStart;

        public override long Position { get => _inner.Position; set => _inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            _read = true;
            return _inner.Read(buffer, offset, count);
        }

        public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
