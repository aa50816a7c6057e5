using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class CsvTests
{
    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("\"say \"\"hi\"\"\",x", new[] { "say \"hi\"", "x" })]
    [InlineData("a,,c", new[] { "a", "", "c" })]
    [InlineData("\"line1\nline2\",z", new[] { "line1\nline2", "z" })]
    public void TryParse_ReadsRfc4180Fields(string record, string[] expected)
    {
        Assert.True(Csv.TryParse(record, out var fields, out var error), error);
        Assert.Equal(expected, fields);
    }

    [Theory]
    [InlineData("\"open,b")]
    [InlineData("\"a\"x,b")]
    [InlineData("a\"b,c")]
    public void TryParse_Malformed_SaysWhy(string record)
    {
        Assert.False(Csv.TryParse(record, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
