using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// run56: a program that no item's command can start is refused before the run (exit 2, one line, nothing created)
/// instead of failing every item with "command not found"; what might still run is not refused. In-process; the only
/// processes started are two <c>true</c> (and the reaper's shell).
/// </summary>
public sealed class RunPreflightTests
{
    [Theory]
    [InlineData("nosuchprog {}", "nosuchprog")]
    [InlineData("nosuchprog", "nosuchprog")]                   // the item appended
    [InlineData("nosuchprog -v '{}' \"x{}y\" {#} {%}", "nosuchprog")]
    [InlineData("'/opt/my tools/prog' {}", "/opt/my tools/prog")]
    [InlineData("./bin/tool --in={} -o out/{/.}.png", "./bin/tool")]
    [InlineData("{} --version", null)]                         // the item names the program
    [InlineData("tool{#} x", null)]
    [InlineData("nosuchprog {} || echo fallback", null)]       // the shell's: a later part may succeed
    [InlineData("make tool && ./tool {}", null)]               // an earlier part may create the program
    [InlineData("cd {} && ./tool", null)]
    [InlineData("printf '%s\\n' {}", null)]                    // a builtin
    [InlineData("X=1 prog {}", null)]
    [InlineData("prog $(( {} + 1 ))", null)]
    [InlineData("prog {} > out.txt", null)]
    public void FixedProgram_IsTheProgram_OnlyWhenTheCommandItselfNamesIt_AndNeedsNoShell(string command, string? program)
    {
        Assert.Equal(program, CommandTemplate.Parse(command).FixedProgram());
    }

    [Fact]
    public void Check_SearchesPathAsExecvp_AndRefusesOnlyWhatCannotStart()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("a"));
        Directory.CreateDirectory(dir.File("b"));
        Directory.CreateDirectory(dir.File("a/adir"));
        File.WriteAllText(dir.File("a/tool"), "#!/bin/sh\n");                 // not executable here...
        File.WriteAllText(dir.File("b/tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(dir.File("b/tool"), UnixFileMode.UserRead | UnixFileMode.UserExecute); // ...but here
        File.WriteAllText(dir.File("a/plain"), "x");
        var path = $"{dir.File("a")}:{dir.File("b")}";
        static bool None(string name) => false;

        ProgramPreflight.Check("tool", path, None); // the first executable one, as execvp takes it
        ProgramPreflight.Check(dir.File("b/tool"), null, None);

        var missing = Assert.Throws<CliUsageException>(() => ProgramPreflight.Check("brigade-no-such-program-56", path, None));
        Assert.Equal($"--exec: command not found: brigade-no-such-program-56 (not in any directory of PATH={path}); no item could start it; nothing was run", missing.Message);
        Assert.Contains("permission denied", Assert.Throws<CliUsageException>(() => ProgramPreflight.Check("plain", path, None)).Message, StringComparison.Ordinal);
        Assert.Contains("is a directory", Assert.Throws<CliUsageException>(() => ProgramPreflight.Check("adir", path, None)).Message, StringComparison.Ordinal);
        Assert.Contains("no such file", Assert.Throws<CliUsageException>(() => ProgramPreflight.Check(dir.File("b/nope"), path, None)).Message, StringComparison.Ordinal);
        Assert.Contains("permission denied", Assert.Throws<CliUsageException>(() => ProgramPreflight.Check(dir.File("a/plain"), path, None)).Message, StringComparison.Ordinal);

        // What a shell may still run whatever PATH holds: its builtins, and a function a bash /bin/sh imports. Since run60 a
        // function that /bin/sh cannot import (dash) is refused unless a program of its name is on PATH.
        ProgramPreflight.Check("echo", path, None);
        ProgramPreflight.Check("tool", path, static name => name == "BASH_FUNC_tool%%");
        var shIsBash = Path.GetFileName(new FileInfo("/bin/sh").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/bin/sh").StartsWith("bash", StringComparison.Ordinal);
        if (shIsBash)
        {
            ProgramPreflight.Check("myfn", path, static name => name == "BASH_FUNC_myfn%%");
        }
        else
        {
            Assert.Contains("bash -c 'myfn \"$1\"' _ {}", Assert.Throws<CliUsageException>(() => ProgramPreflight.Check("myfn", path, static name => name == "BASH_FUNC_myfn%%")).Message, StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task AMissingProgram_IsRefusedBeforeTheRun_InOneLine_NothingCreated()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Failed before: exit 1 after running every item, each failed "exit code 127: command not found", an output, a
        // failures file with one line per item.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 50).Select(static i => i.ToString()));

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "brigade-no-such-program-56 {}", "-o", dir.File("out.txt"));

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("brigade: --exec: command not found: brigade-no-such-program-56", stderr.Split(" (not in any directory of PATH=")[0]);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(new[] { "in.txt" }, Directory.GetFiles(dir.Path).Select(static f => Path.GetFileName(f)).ToArray());
    }

    [Fact(Timeout = 60_000)]
    public async Task AProgramNamedByTheItem_OrFoundOnPath_StillRuns()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "true\n");

        Assert.Equal(0, (await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "{} x", "-q")).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", "true", "-q")).ExitCode);
    }
}
