using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review41;

/// <summary>A line break inside a quoted CSV field is part of the value, byte for byte (review 41: a CRLF there lost its CR).</summary>
public sealed class CsvLineBreakTests
{
    private static async Task<List<InputItem>> ReadAsync(string text)
    {
        var items = new List<InputItem>();
        await foreach (var item in InputReader.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), InputFormat.Csv, nullSeparated: false, fingerprint: null))
        {
            items.Add(item);
        }

        return items;
    }

    [Fact]
    public async Task CrLfInsideAQuotedField_IsKept()
    {
        var items = await ReadAsync("id,note\r\n1,\"first\r\nsecond\"\r\n2,plain\r\n");

        Assert.Equal(2, items.Count);
        Assert.Equal(["1", "first\r\nsecond"], items[0].Fields!);
        Assert.Equal(["2", "plain"], items[1].Fields!);
        Assert.Equal([2L, 4L], items.Select(i => i.Line));
    }

    [Fact]
    public async Task LfInsideAQuotedField_OfACrLfFile_StaysLf()
    {
        // Spreadsheets write a cell's own line breaks as LF between CRLF-ended rows.
        var items = await ReadAsync("id,note\r\n1,\"a\nb\r\nc\"\r\n");

        Assert.Single(items);
        Assert.Equal("a\nb\r\nc", items[0].Fields![1]);
    }
}
