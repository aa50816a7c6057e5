namespace Brigade.Cli.Tests.Review45;

/// <summary>
/// A variable whose value is not UTF-8 (a Latin-1 file name in <c>$FILE</c>) reaches the commands as its bytes, as
/// under <c>xargs</c>: brigade passed .NET's decoding of it, U+FFFD (<c>EF BF BD</c>) in place of each such byte, on
/// its own spawner and through its restart of a run of 200 items or more alike.
/// </summary>
public sealed class EnvironmentBytesTests
{
    [Theory(Timeout = 120_000)]
    [InlineData(2)]
    [InlineData(250)]
    public async Task AVariableThatIsNotUtf8_ReachesTheCommands_Unchanged(int items)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        // Every item names the variable: `printenv {}` is run directly (no shell reads the command) with the spawner's
        // environment, one process an item (`sh -c 'printenv LATIN1' {}` until suite70: sh and printenv, two).
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Repeat("LATIN1", items));

        var (code, stdout, stderr) = await ShellScript.RunAsync(dir.Path, "export LATIN1=\"caf$(printf '\\351') x\"; $BRIGADE run in.txt -x 'printenv {}' -j 2 -q", TimeSpan.FromSeconds(100));

        Assert.True(code == 0, stderr);
        var expected = Enumerable.Repeat<byte[]>([.. "caf"u8, 0xE9, .. " x\n"u8], items).SelectMany(b => b).ToArray();
        Assert.Equal(expected, stdout);
    }
}
