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
    [InlineData("echo {1} {1.} {1/}", "d/a.b", "echo d/a.b d/a a.b")]
    [InlineData("echo {} | awk '{print $1}'", "a b", "echo 'a b' | awk '{print $1}'")]
    [InlineData("echo {} | awk '{print}'", "a", "echo a | awk '{print}'")]
    [InlineData("echo {} | sed -n '/x/{p;q}'", "x", "echo x | sed -n '/x/{p;q}'")]
    [InlineData("echo ${HOME} {}", "a", "echo ${HOME} a")]
    [InlineData("f() { echo \"$1\"; }; f {}", "a", "f() { echo \"$1\"; }; f a")]
    [InlineData("echo {a,b} {}", "c", "echo {a,b} c")]
    public void Render_SubstitutesPlaceholders(string template, string item, string expected)
    {
        Assert.Equal(expected, CommandTemplate.Parse(template).Render(Line(item, 3)));
    }

    // Review 22: where the value stands in the shell's syntax decides its quoting. In a command substitution ($(...) or
    // backticks, even inside "...") it is one plainly quoted word: treated as inside the outer quotes, the item's
    // $(...) ran. An apostrophe in a comment opens no quote (the value after it was left unquoted). In $'...' the quote
    // reopens as $'.
    [Theory]
    [InlineData("echo \"$(basename {})\"", "$(touch p)", "echo \"$(basename '$(touch p)')\"")]
    [InlineData("echo \"`basename {}`\"", "a b", "echo \"`basename 'a b'`\"")]
    [InlineData("echo \"$(echo \"x{}\")\"", "a b", "echo \"$(echo \"x\"'a b'\"\")\"")]
    [InlineData("echo x # don't\necho {}", "$(touch p)", "echo x # don't\necho '$(touch p)'")]
    [InlineData("echo '{}' \"{}\"", "$(touch p)", "echo ''\'$(touch p)'\'' \"\"'$(touch p)'\"\"")]
    [InlineData("printf $'<{}>\\t\\n'", "a b", "printf $'<''a b'$'>\\t\\n'")]
    [InlineData("echo $(( {#} + 1 ))", "x", "echo $(( 4 + 1 ))")]
    public void Render_QuotesByWhereThePlaceholderStands(string template, string item, string expected)
    {
        Assert.Equal(expected, CommandTemplate.Parse(template).Render(Line(item, 3)));
    }

    [Theory]
    [InlineData("echo \"${X:-{}}\"")]
    [InlineData("echo \"${X:-'{}'}\"")] // review 26 S1: dash takes these quotes as text
    [InlineData("echo \"${X:-\"{}\"}\"")]
    [InlineData("echo 'unclosed {}")]
    [InlineData("echo \"$(basename {})")]
    public void Parse_PlaceholderWhoseQuotingCannotBeRead_IsAUsageError(string template)
    {
        Assert.Throws<CliUsageException>(() => CommandTemplate.Parse(template));
    }

    // Review 25: $((...)) is read as if in double quotes, so a value's $(...) ran however it was quoted
    // ($(( '$(touch f)' )) created f). A number goes in as it is (review 27 F1: not a name, which bash would evaluate in
    // turn); anything else fails its item, before it runs.
    [Theory]
    [InlineData("echo $(( {} + 1 ))", "41", "echo $(( 41 + 1 ))")]
    [InlineData("echo \"$(( {} % 10 ))\"", "17", "echo \"$(( 17 % 10 ))\"")]
    [InlineData("echo $(( {} ))", "-5", "echo $(( -5 ))")]
    [InlineData("echo $(( {} ))", "0x1F", "echo $(( 0x1F ))")]
    [InlineData("echo $(( {} ))", "2#101", "echo $(( 2#101 ))")]
    [InlineData("echo $(( $(printf %s {} | wc -c) ))", "a b", "echo $(( $(printf %s 'a b' | wc -c) ))")]
    public void Render_InArithmetic_NumbersGoInAsTheyAre(string template, string item, string expected)
    {
        Assert.Equal(expected, CommandTemplate.Parse(template).Render(Line(item, 3)));
    }

    [Theory]
    [InlineData("echo $(( {} + 1 ))", "$(touch f)")]
    [InlineData("echo $(( \"{}\" ))", "`touch f`")]
    [InlineData("echo \"$(( {} ))\"", "a[$(touch f)]")]
    [InlineData("cd $(( {} )) && pwd", "HOME=0")] // review 26 N2: an assignment changes the shell's variables
    [InlineData("echo $(( {} ))", "x++")]
    [InlineData("echo $(( {} ))", "1 + 1")]
    [InlineData("echo $(( {} * 2 ))", "BRIGADE_V1")] // review 27 F1: bash evaluates a named variable's value, a[$(...)] and all
    [InlineData("echo $(( {} ))", "x")]
    [InlineData("echo $(( {} ))", "1+x")]
    [InlineData("echo $(( {} ))", "-")]
    public void Render_InArithmetic_AnythingButANumber_FailsTheItem(string template, string item)
    {
        var e = Assert.Throws<FormatException>(() => CommandTemplate.Parse(template).Render(Line(item, 3)));
        Assert.Contains("$((...))", e.Message, StringComparison.Ordinal);
    }

    // Review R3: a here-document's body is not quoted by the command's own quotes. With an unquoted delimiter the shell
    // expands $(...) and backticks in it (an item's $(...) ran); with a quoted one the value's quotes would be its text.
    [Theory]
    [InlineData("cat <<EOF\n{}\nEOF")]
    [InlineData("cat <<'EOF'\n{}\nEOF")]
    [InlineData("cat << \"E\"OF\nx {} y\nEOF")]
    [InlineData("cat <<-EOF\n\tx\n\t{/}\n\tEOF")]
    [InlineData("cat <<EOF | wc -c\nitem: {/.}\nEOF\necho done")]
    [InlineData("echo \"$(cat <<EOF\n{}\nEOF\n)\"")]
    [InlineData("cat <<A <<B\nx\nA\n{}\nB")]
    [InlineData("cat <<EOF\n'{}'\nEOF")]
    [InlineData("cat <<EOF\n{}")]
    // Review 25 S3: dash reads (( as two subshells, so << in it opens a here-document ($(touch f) in an item ran).
    [InlineData("((cat <<EOF\n{}\nEOF\n))")]
    [InlineData("((cat <<EOF)) \n{}\nEOF")]
    [InlineData("((cat <<EOF\n{}\nEOF\n) | tr a A)")]
    // bash's arithmetic command reads << as a shift, but the same text is a here-document to dash: refused, not guessed.
    [InlineData("(( x = 1 << 2 ))\necho {}")]
    // Review 26 S8: no placeholder, so the item would be appended to the delimiter line, inside the body.
    [InlineData("cat <<EOF\nhello\nEOF")]
    public void Parse_PlaceholderInAHereDocument_IsAUsageError(string template)
    {
        var e = Assert.Throws<CliUsageException>(() => CommandTemplate.Parse(template));
        Assert.Contains("here-document", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"$1\"", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("cat <<EOF\nx\nEOF\necho {}", "a b", "cat <<EOF\nx\nEOF\necho 'a b'")]
    [InlineData("cat <<EOF {}\nbody\nEOF", "a b", "cat <<EOF 'a b'\nbody\nEOF")]
    [InlineData("cat <<-EOF\n\tbody\n\tEOF\necho {}", "a", "cat <<-EOF\n\tbody\n\tEOF\necho a")]
    [InlineData("cat <<<{}", "a b", "cat <<<'a b'")]
    [InlineData("echo $(( 1<<2 )) {}", "a", "echo $(( 1<<2 )) a")]
    [InlineData("echo '<<EOF' {}", "a", "echo '<<EOF' a")]
    [InlineData("awk -f - {} <<'EOF'\n{print $1}\nEOF", "f", "awk -f - f <<'EOF'\n{print $1}\nEOF")]
    [InlineData("for ((i = 1; i << 1 < 4; i++)); do echo {}; done", "a", "for ((i = 1; i << 1 < 4; i++)); do echo a; done")]
    public void Render_AroundAHereDocument_QuotesAsUsual(string template, string item, string expected)
    {
        Assert.Equal(expected, CommandTemplate.Parse(template).Render(Line(item, 3)));
    }

    // Review 23 N1: {#}, {%} and {index} are bare digits, never the shell's syntax: filled into a here-document's body
    // (refused there since R3, though they had worked before), while the item's text there still is refused.
    [Theory]
    [InlineData("cat <<EOF\nslot {%} seq {#} index {index}\nEOF", "cat <<EOF\nslot 2 seq 4 index 3\nEOF")]
    [InlineData("cat <<-'EOF' | wc -l\n\t{#}\n\tEOF\necho {}", "cat <<-'EOF' | wc -l\n\t4\n\tEOF\necho 'a b'")]
    [InlineData("cat <<A <<B\n{#}\nA\nx{index}y ${HOME}\nB", "cat <<A <<B\n4\nA\nx3y ${HOME}\nB")]
    public void Render_NumbersInAHereDocument_AreFilledIn(string template, string expected)
    {
        var parsed = CommandTemplate.Parse(template);

        Assert.Equal(expected, CommandTemplate.FillSlot(parsed.Render(Line("a b", 3)), 2));
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

        Assert.Equal("echo 7 seven", CommandTemplate.Parse("echo {1} {name}", InputFormat.Csv).Render(item));
        Assert.Throws<FormatException>(() => CommandTemplate.Parse("echo {3}", InputFormat.Csv).Render(item));
        Assert.Throws<FormatException>(() => CommandTemplate.Parse("echo {missing}", InputFormat.Csv).Render(item));
    }

    [Fact]
    public void CheckAgainst_UnknownCsvColumn_IsUsageError_KnownColumnsPass()
    {
        CommandTemplate.Parse("echo {name} {2}", InputFormat.Csv).CheckAgainst(["n", "name"]);

        var e = Assert.Throws<CliUsageException>(() => CommandTemplate.Parse("echo {nmae}", InputFormat.Csv).CheckAgainst(["n", "name"]));
        Assert.Contains("{nmae} names no column of the CSV header (n, name)", e.Message, StringComparison.Ordinal);
        Assert.Throws<CliUsageException>(() => CommandTemplate.Parse("echo {3}", InputFormat.Csv).CheckAgainst(["n", "name"]));
    }

    [Theory]
    [InlineData("echo {0}")]
    [InlineData("echo {..}")]
    [InlineData("echo {#/}")]
    [InlineData("echo {//.}")]
    [InlineData("echo {2}")]
    public void Parse_UnknownPlaceholder_IsUsageError(string template)
    {
        // Regression: any {word} counted, unknown ones failed every item at run time instead.
        var e = Assert.Throws<CliUsageException>(() => CommandTemplate.Parse(template, InputFormat.Lines));
        Assert.StartsWith("--exec: ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Quote_BytesThatAreNotUtf8_AreRecreatedByTheShell()
    {
        var value = ByteText.Decode([.. "caf"u8, 0xE9, .. "'s"u8]);

        Assert.Equal("'caf'\"$(printf '\\351')\"''\\''s'", CommandTemplate.Quote(value));
    }

    [Fact]
    public void Render_ItemWithNulByte_FailsTheItem()
    {
        Assert.Throws<FormatException>(() => CommandTemplate.Parse("echo {}").Render(Line("a\0b")));
    }

    [Fact]
    public void Render_Slot_IsFilledWhenTheCommandStarts()
    {
        var template = CommandTemplate.Parse("run --gpu {%} {}");

        Assert.True(template.UsesSlot);
        Assert.Equal("run --gpu 2 x", CommandTemplate.FillSlot(template.Render(Line("x")), 2));
    }

    [Fact]
    public void Render_JsonProperties_StringsUnquotedOthersAsJson()
    {
        using var doc = JsonDocument.Parse("""{"name":"a b","n":3,"tags":[1]}""");
        var item = new InputItem(0, 1, doc.RootElement.GetRawText()) { Json = doc.RootElement.Clone() };

        Assert.Equal("echo 'a b' 3 '[1]'", CommandTemplate.Parse("echo {name} {n} {tags}", InputFormat.JsonLines).Render(item));
    }

    [Fact]
    public void Parse_EmptyCommand_IsUsageError()
    {
        Assert.Throws<CliUsageException>(() => CommandTemplate.Parse("  "));
    }
}
