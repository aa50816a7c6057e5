namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: GNU parallel's replacement strings that brigade does not have. <c>{+.}</c>, <c>{+/}</c>, <c>{+..}</c> and a
/// Perl expression <c>{= s/a/b/ =}</c> were braces around a character brigade leaves to the shell: the command had no
/// placeholder, so the item was appended and the braces ran as text (<c>echo {+.}</c> printed <c>{+.} a.tar.gz</c>, exit
/// 0). They are now a usage error in one line that names GNU parallel's string, before anything runs. The ones made only
/// of dots and slashes (<c>{..}</c>, <c>{/..}</c>, <c>{##}</c>) were refused already; their line now says what they are.
/// </summary>
public sealed class GnuReplacementStringTests
{
    [Theory]
    [InlineData("echo {+.}", "{+.}")]
    [InlineData("echo {+/}", "{+/}")]
    [InlineData("echo {+..}", "{+..}")]
    [InlineData("echo '{+...}'", "{+...}")]
    [InlineData("echo {= s/a/b/ =}", "{= s/a/b/ =}")]
    [InlineData("echo \"{=s:\\.gz$::=}\"", "{=s:\\.gz$::=}")]
    [InlineData("echo {..}", "{..}")]
    [InlineData("echo {/...}", "{/...}")]
    [InlineData("echo {##}", "{##}")]
    public async Task GnuParallelReplacementString_IsAUsageError_NamingIt(string command, string named)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a.tar.gz\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command + " > ran.txt", "-o", dir.File("out.txt"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"brigade: --exec: {named} is GNU parallel's", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(dir.File("out.txt")));
    }

    [Theory]
    [InlineData("sed -n '/a/{=;p}'")]
    [InlineData("sed -n '{=}'")]
    [InlineData("awk '{print $1}'")]
    [InlineData("echo '{ +. }'")]
    public async Task ShellBracesThatLookAlike_StillReachTheShell(string command)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a.tar.gz\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "printf '%s\\n' {} | " + command, "-o", dir.File("out.txt"));

        Assert.True(code == 0, stderr);
    }
}
