using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class InputReaderTests
{
    private static Task<List<InputItem>> ReadAsync(string text, InputFormat format, bool nullSeparated = false) =>
        ReadAsync(Encoding.UTF8.GetBytes(text), format, nullSeparated);

    private static async Task<List<InputItem>> ReadAsync(byte[] bytes, InputFormat format, bool nullSeparated = false, InputFingerprint? fingerprint = null)
    {
        var items = new List<InputItem>();
        await foreach (var item in InputReader.ReadAsync(new MemoryStream(bytes), format, nullSeparated, fingerprint))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public async Task Lines_LoneCarriageReturn_StaysInTheItem_OnlyLfAndCrLfEndALine()
    {
        // Regression: a CR inside a line split it into two items.
        var items = await ReadAsync("a\rb\nc\r\nd", InputFormat.Lines);

        Assert.Equal(["a\rb", "c", "d"], items.Select(i => i.Text));
        Assert.Equal([1L, 2, 3], items.Select(i => i.Line));
    }

    [Fact]
    public async Task Lines_BytesThatAreNotUtf8_RoundTripExactly()
    {
        // Regression: Latin-1 bytes were replaced by U+FFFD before reaching the command.
        byte[] input = [.. "caf"u8, 0xE9, (byte)'\n', 0xFF, 0xFE, .. " \u00e9t\u00e9"u8, (byte)'\n'];

        var items = await ReadAsync(input, InputFormat.Lines);

        Assert.Equal(2, items.Count);
        Assert.Equal([.. "caf"u8, 0xE9], Bytes(items[0].Text));
        Assert.Equal([0xFF, 0xFE, .. " \u00e9t\u00e9"u8], Bytes(items[1].Text));
        Assert.Equal("caf\uFFFD", ByteText.ToText(items[0].Text));
    }

    [Fact]
    public async Task Null_SeparatesAtNulBytes_KeepingNewlinesAndSkippingEmptyRecords()
    {
        var items = await ReadAsync("one two\0three\nfour\0\0last", InputFormat.Lines, nullSeparated: true);

        Assert.Equal(["one two", "three\nfour", "last"], items.Select(i => i.Text));
        Assert.Equal([0L, 1, 2], items.Select(i => i.Index));
    }

    [Fact]
    public async Task Lines_LongLinesAcrossReadBlocks_AreWhole()
    {
        var line = new string('x', 200_000);

        var items = await ReadAsync($"{line}\n{line}y\n", InputFormat.Lines);

        Assert.Equal([line, line + "y"], items.Select(i => i.Text));
    }

    [Fact]
    public async Task Fingerprint_CountsBytesAndItems_AndHashesWhatWasRead()
    {
        var fingerprint = new InputFingerprint();
        var bytes = Encoding.UTF8.GetBytes("a\n\nb\r\nc");

        await ReadAsync(bytes, InputFormat.Lines, fingerprint: fingerprint);

        var (read, items, hash) = fingerprint.Snapshot();
        Assert.Equal(bytes.Length, read);
        Assert.Equal(3, items);
        Assert.Equal("xxh128:" + Convert.ToHexStringLower(System.IO.Hashing.XxHash128.Hash(bytes)), hash);
    }

    // The bytes a command gets for an item: what ByteText escaped goes back to the byte it stood for.
    private static byte[] Bytes(string text)
    {
        var bytes = new List<byte>();
        foreach (var c in text)
        {
            if (ByteText.IsEscapedByte(c))
            {
                bytes.Add(ByteText.EscapedByte(c));
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return [.. bytes];
    }

    [Fact]
    public async Task Lines_SkipBlankLines_AndKeepLineNumbers()
    {
        var items = await ReadAsync("a\n\nb\n  \nc\n", InputFormat.Lines);

        Assert.Equal(["a", "b", "c"], items.Select(i => i.Text));
        Assert.Equal([0L, 1, 2], items.Select(i => i.Index));
        Assert.Equal([1L, 3, 5], items.Select(i => i.Line));
    }

    [Fact]
    public async Task JsonLines_MalformedLine_IsAnItemWithItsLineNumber()
    {
        var items = await ReadAsync("{\"a\":1}\n{oops\n[2]\n", InputFormat.JsonLines);

        Assert.Equal(3, items.Count);
        Assert.Null(items[0].Malformed);
        Assert.StartsWith("line 2: not valid JSON", items[1].Malformed, StringComparison.Ordinal);
        Assert.Null(items[2].Malformed);
    }

    [Fact]
    public async Task Csv_UsesHeader_MultiLineRecords_AndReportsFieldCountMismatch()
    {
        var items = await ReadAsync("n,name\n1,one\n2,\"two\nlines\"\n3\n", InputFormat.Csv);

        Assert.Equal(3, items.Count);
        Assert.Equal(["1", "one"], items[0].Fields!);
        Assert.Equal(2, items[0].Line);
        Assert.Equal(["2", "two\nlines"], items[1].Fields!);
        Assert.Equal(3, items[1].Line);
        Assert.Equal("line 5: 1 fields where the header has 2", items[2].Malformed);
    }

    [Theory]
    [InlineData("x.jsonl", "JsonLines")]
    [InlineData("x.NDJSON", "JsonLines")]
    [InlineData("x.csv", "Csv")]
    [InlineData("x.txt", "Lines")]
    [InlineData("-", "Lines")]
    public void Resolve_Auto_ByExtension(string path, string expected)
    {
        Assert.Equal(expected, InputReader.Resolve(InputFormat.Auto, path).ToString());
    }
}
