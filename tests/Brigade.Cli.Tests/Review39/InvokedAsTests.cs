namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// The resume hint names a command the user can type: from a build of the repository (<c>dotnet run --project
/// src/Brigade.Cli --</c>, or the build's program) there is no <c>brigade</c> command, and the hint said
/// <c>Resume with: brigade run ... --resume</c> (review 39). The installed tool is still <c>brigade</c>.
/// </summary>
public sealed class InvokedAsTests
{
    [Fact]
    public void FromABuildOfTheProject_TheHintNamesTheBuildsProgram()
    {
        using var dir = new TempDirectory();
        var output = Layout(dir, project: true);

        Assert.Equal("src/Brigade.Cli/bin/Release/net10.0/Brigade.Cli", InvokedAs.Find(Path.Combine(output, "Brigade.Cli"), output + "/", dir.Path));
        Assert.Equal("dotnet src/Brigade.Cli/bin/Release/net10.0/Brigade.Cli.dll", InvokedAs.Find("/usr/share/dotnet/dotnet", output + "/", dir.Path));
        Assert.Equal(Path.Combine(output, "Brigade.Cli"), InvokedAs.Find(Path.Combine(output, "Brigade.Cli"), output + "/", "/elsewhere"));
    }

    [Fact]
    public void Installed_TheHintSaysBrigade()
    {
        using var dir = new TempDirectory();
        var output = Layout(dir, project: false);

        Assert.Equal("brigade", InvokedAs.Find(Path.Combine(output, "Brigade.Cli"), output + "/", dir.Path));
        Assert.Equal("brigade", InvokedAs.Find("/home/me/.dotnet/tools/brigade", output + "/", dir.Path));
    }

    [Fact(Timeout = 60_000)]
    public async Task ResumeHint_StartsWithTheInvokedCommand()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\nx\n3\n");

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "test {} != x", "--fail-fast", "-e", "sequential", "-o", dir.File("out.txt"));

        Assert.Equal(1, code);
        Assert.Contains($"Resume with: {InvokedAs.Command} run ", stderr, StringComparison.Ordinal);
    }

    // PROJECT/bin/Release/net10.0 with the program and assembly; the project file beside bin/ when project is true.
    private static string Layout(TempDirectory dir, bool project)
    {
        var root = dir.File("src/Brigade.Cli");
        var output = Path.Combine(root, "bin", "Release", "net10.0");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "Brigade.Cli"), "");
        File.WriteAllText(Path.Combine(output, "Brigade.Cli.dll"), "");
        if (project)
        {
            File.WriteAllText(Path.Combine(root, "Brigade.Cli.csproj"), "<Project />");
        }

        return output;
    }
}
