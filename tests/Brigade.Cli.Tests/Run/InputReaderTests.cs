using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class InputReaderTests
{
    private static async Task<List<InputItem>> ReadAsync(string text, InputFormat format)
    {
        var items = new List<InputItem>();
        await foreach (var item in InputReader.ReadAsync(new StringReader(text), format))
        {
            items.Add(item);
        }

        return items;
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
