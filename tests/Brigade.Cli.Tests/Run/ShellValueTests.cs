using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// The shell gets an item's value as an environment variable reference, never as text it parses (RenderedCommand): a
/// command whose quoting brigade reads otherwise than dash (review 26) can misplace a value, but never run an item's
/// <c>$(...)</c>. Each case runs through the real spawner and /bin/sh.
/// </summary>
public sealed class ShellValueTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("brigade-shellvalue-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static InputItem Line(string text) => new(0, 1, text);

    [Fact]
    public void RenderCommand_PlainWords_StayInPlace_OtherValuesBecomeReferences()
    {
        var plain = CommandTemplate.Parse("echo \"[{}]\" {#}").RenderCommand(Line("a.txt"));
        Assert.Equal("echo \"[\"a.txt\"]\" 1", plain.Text);
        Assert.Same(plain.Text, plain.ShellText);
        Assert.Empty(plain.Values);

        var spaced = CommandTemplate.Parse("echo \"[{}]\" '{}' {} | cat").RenderCommand(Line("a b"));
        Assert.Equal("echo \"[\"'a b'\"]\" '''a b''' 'a b' | cat", spaced.Text);
        Assert.Equal("echo \"[\"\"${BRIGADE_V1}\"\"]\" ''\"${BRIGADE_V1}\"'' \"${BRIGADE_V1}\" | cat", spaced.ShellText);
        Assert.Equal(["a b"], spaced.Values);
    }

    [Fact]
    public void AValueUsedTwice_TravelsOnce()
    {
        var command = CommandTemplate.Parse("echo {} {} {.} | cat").RenderCommand(Line("a b.txt"));
        Assert.Equal("echo \"${BRIGADE_V1}\" \"${BRIGADE_V1}\" \"${BRIGADE_V2}\" | cat", command.ShellText);
        Assert.Equal(["a b.txt", "a b"], command.Values);
    }

    [Fact]
    public void WithSlot_FillsBothForms()
    {
        var command = CommandTemplate.Parse("echo {%} {} | cat").RenderCommand(Line("a b")).WithSlot(2);
        Assert.Equal("echo 2 'a b' | cat", command.Text);
        Assert.Equal("echo 2 \"${BRIGADE_V1}\" | cat", command.ShellText);
    }

    // Review 26's templates, read by brigade otherwise than by dash: each ran the item's $(touch ...) before.
    [Theory(Timeout = 30_000)]
    [InlineData("S1", "echo \"${x:-'{}'}\"")]
    [InlineData("S1b", "echo \"${x:-\"{}\"}\"")]
    [InlineData("S2", "echo \"$(case {} in *.gz) zcat {};; *) cat {};; esac)\"")]
    [InlineData("S3", "echo $(true)#'\n{}\n$(true)#'")]
    [InlineData("S3b", "echo a\\\n#'\n{}\nb\\\n#'")]
    [InlineData("S3c", "echo ${x:- #'}\n} {} #'}")]
    [InlineData("S4", "echo $'\\'' {} \\'")]
    [InlineData("S5", "echo `echo \\\\'` {} `\\\\'`")]
    [InlineData("S7", "cat <<EOF\nx\\\nEOF\necho {}\nEOF")]
    [InlineData("S8", "cat <<EOF\nhello\nEOF")]
    public async Task MisreadTemplates_NeverRunTheItem(string id, string template)
    {
        var marker = Path.Combine(_directory, id);
        foreach (var item in new[] { $"$(touch {marker})", $"`touch {marker}`", $"';touch {marker};'", $"\";touch {marker};\"" })
        {
            RenderedCommand command;
            try
            {
                command = CommandTemplate.Parse(template).RenderCommand(Line(item));
            }
            catch (Exception e) when (e is CliUsageException or FormatException)
            {
                continue; // refused: nothing runs
            }

            try
            {
                _ = await ExecRunner.RunAsync(command, TimeSpan.FromSeconds(20), null, passFailure: false, CancellationToken.None);
            }
            catch (ExecFailedException)
            {
                // A syntax error of the misread command is fine; running the item is not.
            }

            Assert.False(File.Exists(marker), $"{id}: the item {item} ran, through {command.ShellText}");
        }
    }

    [Theory(Timeout = 30_000)]
    [InlineData("echo {} | cat", "a  b*")]
    [InlineData("printf '%s\\n' \"<{}>\" | cat", "$(x) `y` 'q' \"d\" \\ $HOME")]
    [InlineData("sh -c 'printf \"%s\\n\" \"$0\"' {} | cat", "two  words")]
    [InlineData("x={}; printf '%s\\n' \"$x\" | cat", "v w")]
    [InlineData("printf '%s\\n' \"\\{}\" | cat", "x y")] // review 27 F3: a lone backslash before it inside "..." is text
    [InlineData("printf '%s\\n' \"\\\\{}\" | cat", "x y")] // an escaped one is one backslash
    public async Task Values_ReachTheCommandVerbatim(string template, string item)
    {
        var command = CommandTemplate.Parse(template).RenderCommand(Line(item));
        var (output, _, _) = await ExecRunner.RunAsync(command, TimeSpan.FromSeconds(20), null, passFailure: false, CancellationToken.None);
        var expected = template.StartsWith("printf '%s\\n' \"<", StringComparison.Ordinal) ? $"<{item}>"
            : template.Contains("\\{}", StringComparison.Ordinal) ? "\\" + item
            : item;
        Assert.Equal(expected + "\n", Encoding.UTF8.GetString(output));
    }

    // The Process path (other platforms, or BRIGADE_EXEC_SPAWN=process) passes values the same way (review 27 F2).
    [Theory(Timeout = 30_000)]
    [InlineData("echo \"$(case {} in *.gz) zcat {};; *) cat {};; esac)\"")]
    [InlineData("echo `echo \\\\'` {} `\\\\'`")]
    public async Task ThroughProcess_MisreadTemplates_NeverRunTheItem(string template)
    {
        var marker = Path.Combine(_directory, "process");
        var command = CommandTemplate.Parse(template).RenderCommand(Line($"$(touch {marker})"));
        try
        {
            _ = await ExecRunner.RunThroughProcessAsync(command, TimeSpan.FromSeconds(20), null, passFailure: false, CancellationToken.None);
        }
        catch (ExecFailedException)
        {
            // A syntax error of the misread command is fine; running the item is not.
        }

        Assert.False(File.Exists(marker), $"the item ran, through {command.ShellText}");
    }

    [Fact(Timeout = 30_000)]
    public async Task ThroughProcess_BytesThatAreNotUtf8_FailTheItemUnrun()
    {
        // ProcessStartInfo's environment cannot carry them, and the text form would let the shell parse the item.
        var marker = Path.Combine(_directory, "bytes");
        var command = CommandTemplate.Parse("echo \"$(case {} in *.gz) zcat {};; *) cat {};; esac)\"").RenderCommand(Line(ByteText.Decode([.. Encoding.UTF8.GetBytes($"$(touch {marker})"), 0xE9])));
        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunThroughProcessAsync(command, TimeSpan.FromSeconds(20), null, passFailure: false, CancellationToken.None));
        Assert.Contains("not UTF-8", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    // A supplementary character's second half (U+1F4C1 is U+D83D U+DCC1) is in the escape range but is not an escaped byte:
    // such an item runs on the Process path too (review 29d F5).
    [Theory(Timeout = 30_000)]
    [InlineData("\U0001F4C1 docs")]
    [InlineData("\U0001F480")]
    public async Task ThroughProcess_SupplementaryCharacters_AreText_AndRun(string item)
    {
        var command = CommandTemplate.Parse("printf '%s' {} | od -An -tx1").RenderCommand(Line(item));
        var (output, _, _) = await ExecRunner.RunThroughProcessAsync(command, TimeSpan.FromSeconds(20), null, passFailure: false, CancellationToken.None);
        var expected = string.Join(' ', Encoding.UTF8.GetBytes(item).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(expected, string.Join(' ', Encoding.ASCII.GetString(output).Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)));
    }

    [Theory]
    [InlineData(new byte[] { 0xF0, 0x9F, 0x93, 0x81 }, false)] // U+1F4C1: its low surrogate is U+DCC1
    [InlineData(new byte[] { 0xF0, 0x9F, 0x92, 0x80, 0x20, 0x78 }, false)] // U+1F480
    [InlineData(new byte[] { 0xF0, 0x9F, 0x93, 0x81, 0xE9 }, true)] // then a Latin-1 byte
    [InlineData(new byte[] { 0xC1 }, true)]
    public void HasEscapedBytes_IgnoresTheSecondHalfOfASurrogatePair(byte[] bytes, bool escaped)
    {
        var text = ByteText.Decode(bytes);
        Assert.Equal(escaped, ByteText.HasEscapedBytes(text));
        Assert.Equal(bytes, ByteText.Encode(text));
    }

    [Fact(Timeout = 30_000)]
    public async Task BytesThatAreNotUtf8_ReachTheCommandExactly()
    {
        var item = ByteText.Decode([0x61, 0xE9, 0x20, 0x62]); // "a\xE9 b": Latin-1, not UTF-8
        var command = CommandTemplate.Parse("printf '%s' {} | od -An -tx1").RenderCommand(Line(item));
        Assert.Equal([item], command.Values);
        var (output, _, _) = await ExecRunner.RunAsync(command, TimeSpan.FromSeconds(20), null, passFailure: false, CancellationToken.None);
        Assert.Equal("61 e9 20 62", Encoding.ASCII.GetString(output).Trim());
    }

    [Theory]
    [InlineData("BRIGADE_V1", true)]
    [InlineData("BRIGADE_V12", true)]
    [InlineData("BRIGADE_V", false)]
    [InlineData("BRIGADE_VX", false)]
    [InlineData("BRIGADE_V1X", false)]
    [InlineData("XBRIGADE_V1", false)]
    public void ValueVariables_OfAnOuterBrigade_AreKnownByName(string name, bool isValue)
    {
        // Not passed on to commands (ExecSpawner, ExecRunner): a command with fewer values sees no stale one.
        Assert.Equal(isValue, RenderedCommand.IsValueVariable(name));
    }
}
