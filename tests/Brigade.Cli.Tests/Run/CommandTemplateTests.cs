using System.Text.Json;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

public sealed class CommandTemplateTests
{
    private static InputItem Line(string text, long index = 0) => new(index, index + 1, text);

    [Theory]
    [InlineData("convert {} {.}.png", "dir/photo.jpg", "convert dir/photo.jpg dir/photo.png")]
    [InlineData("echo {/} {//} {/.}", "dir/sub/photo.tar.gz", "echo photo.tar.gz dir/sub photo.tar")]
    [InlineData("echo {#} {index}", "x", "echo 4 3")]
    [InlineData("gzip", "a.txt", "gzip a.txt")]
    [InlineData("echo {", "a", "echo { a")]
    public void Render_SubstitutesPlaceholders(string template, string item, string expected)
    {
        Assert.Equal(expected, CommandTemplate.Parse(template).Render(Line(item, 3)));
    }

    [Theory]
    [InlineData("it's here", "'it'\\''s here'")]
    [InlineData("a b", "'a b'")]
    [InlineData("$(rm -rf /)", "'$(rm -rf /)'")]
    [InlineData("", "''")]
    [InlineData("plain-file_1.txt", "plain-file_1.txt")]
    public void Quote_MakesOneVerbatimShellWord(string value, string expected)
    {
        Assert.Equal(expected, CommandTemplate.Quote(value));
    }

    [Fact]
    public void Render_CsvFields_ByPositionAndHeaderName()
    {
        var item = new InputItem(0, 2, "7,seven") { Fields = ["7", "seven"], Header = ["n", "name"] };

        Assert.Equal("echo 7 seven", CommandTemplate.Parse("echo {1} {name}").Render(item));
        Assert.Throws<FormatException>(() => CommandTemplate.Parse("echo {3}").Render(item));
        Assert.Throws<FormatException>(() => CommandTemplate.Parse("echo {missing}").Render(item));
    }

    [Fact]
    public void Render_JsonProperties_StringsUnquotedOthersAsJson()
    {
        using var doc = JsonDocument.Parse("""{"name":"a b","n":3,"tags":[1]}""");
        var item = new InputItem(0, 1, doc.RootElement.GetRawText()) { Json = doc.RootElement.Clone() };

        Assert.Equal("echo 'a b' 3 '[1]'", CommandTemplate.Parse("echo {name} {n} {tags}").Render(item));
    }

    [Fact]
    public void Parse_EmptyCommand_IsUsageError()
    {
        Assert.Throws<CliUsageException>(() => CommandTemplate.Parse("  "));
    }
}
