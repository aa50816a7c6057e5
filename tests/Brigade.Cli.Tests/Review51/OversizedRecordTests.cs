using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review51;

/// <summary>
/// Review 51: a record was held whole however long it was, so a 1.1 GB line took the run to 3 GB and an
/// <see cref="OutOfMemoryException"/> after ~80 s (every result lost with it), and a 10 MB line was read, decoded and
/// templated before it failed on the command-line limit. A record over the limit (what a command line can carry with
/// <c>--exec</c> and plain lines, 16 MiB otherwise) is now read through without being held and fails alone, with its line
/// and length; the fingerprint hashes its bytes all the same, so <c>--resume</c> accepts the same input. The small limits
/// below go through <see cref="InputReader.RecordLimitOverride"/> (this test's async flow only) instead of 1 GB files.
/// </summary>
public sealed class OversizedRecordTests
{
    private static async Task<(List<InputItem> Items, (long Bytes, long Items, string Hash) Read)> ReadAsync(byte[] input, InputFormat format, long? limit, bool nullSeparated = false)
    {
        var fingerprint = new InputFingerprint();
        var items = new List<InputItem>();
        InputReader.RecordLimitOverride.Value = limit; // this async flow only (restored when this method returns)
        await foreach (var item in InputReader.ReadAsync(new MemoryStream(input), format, nullSeparated, fingerprint))
        {
            items.Add(item);
        }

        return (items, fingerprint.Snapshot());
    }

    [Fact(Timeout = 60_000)]
    public async Task ALineOverTheCommandLineLimit_ButUnderTheRecordLimit_IsHeldWhole_AndFailsOnItsCommand()
    {
        // No seam: the real --exec limit (about 128 KiB on Linux). Review 51 first capped --exec lines at it, which cut
        // the failures file's copy to 1,024 bytes (review 42: the failures file keeps a huge item whole). Lines up to
        // 16 MiB are held; the item fails on its command, alone, and the others run.
        using var dir = new TempDirectory();
        var big = new string('x', (int)CommandLineLimit.Bytes + 1_000);
        await File.WriteAllTextAsync(dir.File("in.txt"), $"a\n{big}\nb\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("out.txt"), "-e", "sequential", "-q");

        Assert.True(code == 1, stderr);
        Assert.Equal(["a", "b"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        var failure = Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")));
        Assert.Contains("the command line for this item is", failure, StringComparison.Ordinal);
        Assert.Contains("\"index\":1", failure, StringComparison.Ordinal);
        Assert.Contains(big, failure, StringComparison.Ordinal);
    }

    [Theory(Timeout = 60_000)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnOversizedRecord_IsAnItemThatFails_AndTheFingerprintIsTheWholeInputs(bool nullSeparated)
    {
        // Failed before (no limit): the 300-byte record was an item like any other, held whole.
        var sep = nullSeparated ? "\0" : "\n";
        var input = Encoding.UTF8.GetBytes($"a{sep}{new string('y', 300)}{sep}{sep}b{sep}{new string('z', 150)}");

        var (items, read) = await ReadAsync(input, InputFormat.Lines, limit: 100, nullSeparated);
        var (_, whole) = await ReadAsync(input, InputFormat.Lines, limit: null, nullSeparated);

        Assert.Equal([0L, 1L, 2L, 3L], items.Select(i => i.Index));
        Assert.Equal([1L, 2L, 4L, 5L], items.Select(i => i.Line));
        Assert.Null(items[0].Malformed);
        Assert.StartsWith("line 2 is 300 bytes, over the 100 bytes brigade reads as one record", items[1].Malformed, StringComparison.Ordinal);
        Assert.Equal(new string('y', 300), items[1].Text);
        Assert.Equal("b", items[2].Text);
        Assert.StartsWith("line 5 is 150 bytes", items[3].Malformed, StringComparison.Ordinal);

        // Every byte hashed, in order: the same bytes, items and hash as reading with no limit, so --resume matches.
        Assert.Equal(whole, read);
        Assert.Equal(input.LongLength, read.Bytes);
    }

    [Fact(Timeout = 60_000)]
    public async Task AnOversizedLine_KeepsOnlyItsFirstBytes()
    {
        var input = Encoding.UTF8.GetBytes($"{new string('q', 100_000)}\nok\n");

        var (items, _) = await ReadAsync(input, InputFormat.Lines, limit: 1_000);

        Assert.Equal(RecordReader.KeptBytes, items[0].Text.Length);
        Assert.Contains("line 1 is 100,000 bytes", items[0].Malformed, StringComparison.Ordinal);
        Assert.Equal("ok", items[1].Text);
    }

    [Fact(Timeout = 60_000)]
    public async Task JsonLines_AnOversizedLineFails_TheNextIsParsed()
    {
        var input = Encoding.UTF8.GetBytes($"{{\"n\":1}}\n{{\"s\":\"{new string('j', 500)}\"}}\n{{\"n\":3}}\n");

        var (items, read) = await ReadAsync(input, InputFormat.JsonLines, limit: 100);

        Assert.Equal(3, items.Count);
        Assert.Null(items[0].Malformed);
        Assert.StartsWith("line 2 is 508 bytes", items[1].Malformed, StringComparison.Ordinal);
        Assert.Equal(3, items[2].Json!.Value.GetProperty("n").GetInt32());
        Assert.Equal((await ReadAsync(input, InputFormat.JsonLines, limit: null)).Read, read);
    }

    [Fact(Timeout = 60_000)]
    public async Task Csv_ARecordSpanningLines_CountsAsOneRecord_WhetherOneLineOrAllTogetherAreOver()
    {
        // Record at line 3: a quoted field over three lines of 40 bytes each, none over the limit of 100 alone. Record at
        // line 7: its quoted field opens on line 7 and closes inside line 8, which is over the limit alone (read through as
        // bytes; the quote that closes the field is in it). Each is one failed item, and the rows after them are items.
        var forty = new string('c', 38);
        var input = Encoding.UTF8.GetBytes(
            "name,note\n" +
            "ann,1\n" +
            $"bob,\"{forty}\n{forty}\n{forty}\"\n" +
            "carl,3\n" +
            $"dan,\"open\n{new string('d', 200)}\",tail\n" +
            "eve,5\n");

        var (items, read) = await ReadAsync(input, InputFormat.Csv, limit: 100);

        Assert.Equal(["ann", "bob", "carl", "dan", "eve"], items.Select(i => i.Text[..i.Text.IndexOf(',', StringComparison.Ordinal)]));
        Assert.Equal([2L, 3L, 6L, 7L, 9L], items.Select(i => i.Line));
        Assert.StartsWith("line 3 is 122 bytes (a record of 3 lines), over the 100", items[1].Malformed, StringComparison.Ordinal);
        Assert.Equal(["carl", "3"], items[2].Fields!);
        Assert.StartsWith("line 7 is 216 bytes (a record of 2 lines), over the 100", items[3].Malformed, StringComparison.Ordinal);
        Assert.Equal(["eve", "5"], items[4].Fields!);
        Assert.Equal((await ReadAsync(input, InputFormat.Csv, limit: null)).Read, read);
    }

    [Fact]
    public void AWatermark_NeverPointsInsideARecordReadInParts()
    {
        // An oversized record is hashed block by block as it is read; a journal watermark taken meanwhile must name the
        // read up to the record's start (a resume checks that prefix), then the whole record once it ends.
        var fingerprint = new InputFingerprint();
        fingerprint.Consume("a\n"u8, isItem: true);
        var before = fingerprint.Snapshot();

        fingerprint.ConsumePart("xxxx"u8);
        fingerprint.ConsumePart("xx\n"u8);
        Assert.Equal(before, fingerprint.Snapshot());

        fingerprint.Consume([], isItem: true);
        var whole = new InputFingerprint();
        whole.Consume("a\n"u8, isItem: true);
        whole.Consume("xxxxxx\n"u8, isItem: true);
        Assert.Equal(whole.Snapshot(), fingerprint.Snapshot());
        Assert.Equal((9L, 2L), (fingerprint.Snapshot().Bytes, fingerprint.Snapshot().Items));
    }

    [Fact(Timeout = 60_000)]
    public async Task Resume_AfterARunWithAnOversizedLine_AcceptsTheSameInput_AndRunsOnlyWhatWasAppended()
    {
        // The fingerprint of a run that skipped an oversized line must be the input's: otherwise --resume says the input
        // changed. Through brigade run, in-process, with a 100-byte limit for this test's runs only.
        InputReader.RecordLimitOverride.Value = 100;
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), $"1\n{new string('w', 5_000)}\n3\n");
        string[] args = ["run", dir.File("in.txt"), "-x", "echo {}", "-o", dir.File("out.txt"), "-e", "sequential", "-q"];

        var (code, _, stderr) = await CliRunner.RunAsync(args);
        Assert.True(code == 1, stderr);
        Assert.Contains("line 2 is 5,000 bytes, over the 100", await File.ReadAllTextAsync(dir.File("out.txt.failures.jsonl")), StringComparison.Ordinal);

        await File.AppendAllTextAsync(dir.File("in.txt"), "4\n");
        (code, _, stderr) = await CliRunner.RunAsync([.. args, "--resume"]);

        Assert.True(code == 1, stderr); // the earlier failure still counts
        Assert.DoesNotContain("changed", stderr, StringComparison.Ordinal);
        Assert.Equal(["1", "3", "4"], await File.ReadAllLinesAsync(dir.File("out.txt")));
        Assert.Single(await File.ReadAllLinesAsync(dir.File("out.txt.failures.jsonl")));
    }
}
