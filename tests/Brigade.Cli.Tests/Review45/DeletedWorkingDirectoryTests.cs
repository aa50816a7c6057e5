using System.Text;

namespace Brigade.Cli.Tests.Review45;

/// <summary>
/// A shell whose current directory was deleted under it (<c>rm -rf</c> of a build folder from another terminal) runs
/// <c>xargs</c> as usual. Every brigade command there ended with <c>brigade: TypeInitializationException: The type
/// initializer for 'Brigade.Cli.InvokedAs' threw an exception.</c>, exit 1, absolute paths or not; a relative path then
/// said <c>FileNotFoundException: Unable to find the specified file.</c> of no file in particular.
/// </summary>
public sealed class DeletedWorkingDirectoryTests
{
    [Fact(Timeout = 120_000)]
    public async Task Run_InADeletedDirectory_WithAbsolutePaths_RunsAsXargsDoes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a", "b"]);

        var (code, stdout, stderr) = await ShellScript.RunAsync(dir.Path, $"mkdir gone && cd gone && rmdir ../gone && $BRIGADE run '{dir.File("in.txt")}' -x 'echo {{}}' -o '{dir.File("out.txt")}' -q", TimeSpan.FromSeconds(100));

        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.Empty(stdout);
        Assert.Equal("a\nb\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_InADeletedDirectory_WithARelativePath_SaysSoInOneLine_Exit2()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["a"]);

        var (code, stdout, stderr) = await ShellScript.RunAsync(dir.Path, $"mkdir gone && cd gone && rmdir ../gone && $BRIGADE run '{dir.File("in.txt")}' -x 'echo {{}}' -o out.txt -q", TimeSpan.FromSeconds(100));

        Assert.Equal(2, code);
        Assert.Equal("brigade: the current directory no longer exists (deleted or moved since this shell entered it): cd to one that does, or give absolute paths\n", stderr);
        Assert.Equal("", Encoding.UTF8.GetString(stdout));
    }
}
