using System.Text.Json;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review37;

// Review 37 (first use): {path/} on CSV input (a named column with a modifier, as {1/} is for a numbered one) reached
// the shell as the literal text '{path/}'. Named fields now take the modifiers; a name that is no column is a usage error.
public sealed class NamedFieldModifierTests
{
    private static readonly string[] Header = ["path", "size", "v1."];

    private static InputItem Csv(params string[] fields) => new(0, 2, string.Join(',', fields)) { Fields = fields, Header = Header };

    [Theory]
    [InlineData("echo {path/}", "echo a.tar.gz")]
    [InlineData("echo {path//}", "echo /data/in")]
    [InlineData("echo {path.}", "echo /data/in/a.tar")]
    [InlineData("echo {path/.}", "echo a.tar")]
    [InlineData("echo {size}", "echo 10")]
    [InlineData("echo {v1.}", "echo x")] // a column whose own name ends in '.'
    public void Csv_NamedFieldWithModifier_IsSubstituted(string template, string expected)
    {
        var command = CommandTemplate.Parse(template, InputFormat.Csv);
        command.CheckAgainst(Header);

        Assert.Equal(expected, command.Render(Csv("/data/in/a.tar.gz", "10", "x")));
    }

    [Fact]
    public void Csv_ModifierOnAnUnknownColumn_IsAUsageError()
    {
        var error = Assert.Throws<CliUsageException>(() => CommandTemplate.Parse("echo {paht/}", InputFormat.Csv).CheckAgainst(Header));

        Assert.Contains("{paht/} names no column of the CSV header", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void JsonLines_PropertyWithModifier_IsSubstituted()
    {
        using var json = JsonDocument.Parse("""{"file":"/a/b.txt"}""");
        var item = new InputItem(0, 1, """{"file":"/a/b.txt"}""") { Json = json.RootElement.Clone() };

        Assert.Equal("echo b /a", CommandTemplate.Parse("echo {file/.} {file//}", InputFormat.JsonLines).Render(item));
    }

    [Fact]
    public void Lines_BracesWithASlash_StayTheShells()
    {
        Assert.Equal("awk '{path/}' a", CommandTemplate.Parse("awk '{path/}'", InputFormat.Lines).Render(new InputItem(0, 1, "a")));
    }
}
