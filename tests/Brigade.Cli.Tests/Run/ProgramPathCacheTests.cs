using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// A program's place on PATH, searched once per name with execvp's rules; spawning a cached path that no longer works
/// searches again, and a different PATH starts over.
/// </summary>
public sealed class ProgramPathCacheTests
{
    [Fact]
    public void Find_TakesTheFirstExecutableFile_InPathOrder_AndSearchesOncePerName()
    {
        var files = new HashSet<string>(StringComparer.Ordinal) { "/b/tool", "/c/tool" };
        var checks = 0;
        var cache = new ProgramPathCache(p => { checks++; return files.Contains(p); });

        Assert.Equal("/b/tool", cache.Find("tool", "/a:/b/:/c"));
        Assert.Equal(2, checks);
        Assert.Equal("/b/tool", cache.Find("tool", "/a:/b/:/c"));
        Assert.Equal(2, checks); // cached: no file-system call
    }

    [Theory]
    [InlineData("./tool")] // a '/' in the name: no search at all (execvp runs it as given)
    [InlineData("bin/tool")]
    [InlineData("/usr/bin/tool")]
    [InlineData("")]
    public void Find_NamesWithASlash_AreNotSearched(string program)
    {
        var cache = new ProgramPathCache(_ => true);
        Assert.Null(cache.Find(program, "/a"));
    }

    [Theory]
    [InlineData("/a::/b")] // an empty entry is the working directory
    [InlineData("/a:.:/b")]
    [InlineData("/a:bin:/b")]
    [InlineData("")]
    public void Find_ReachingARelativeEntry_LeavesTheSearchToTheCaller(string searchPath)
    {
        var cache = new ProgramPathCache(p => p == "/b/tool");
        Assert.Null(cache.Find("tool", searchPath));
    }

    [Fact]
    public void Find_FoundBeforeARelativeEntry_IsCached()
    {
        var cache = new ProgramPathCache(p => p == "/a/tool");
        Assert.Equal("/a/tool", cache.Find("tool", "/a:.:/b"));
    }

    [Fact]
    public void Find_UnsetPath_SearchesGlibcsDefault()
    {
        var cache = new ProgramPathCache(p => p == "/usr/bin/tool");
        Assert.Equal("/usr/bin/tool", cache.Find("tool", null));
    }

    [Fact]
    public void Forget_SearchesAgain_AndFindsWhatIsThereNow()
    {
        var files = new HashSet<string>(StringComparer.Ordinal) { "/a/tool", "/b/tool" };
        var cache = new ProgramPathCache(files.Contains);
        Assert.Equal("/a/tool", cache.Find("tool", "/a:/b"));

        files.Remove("/a/tool");
        Assert.Equal("/a/tool", cache.Find("tool", "/a:/b")); // still cached: only a failed spawn says otherwise
        cache.Forget("tool");
        Assert.Equal("/b/tool", cache.Find("tool", "/a:/b"));
    }

    [Fact]
    public void Find_ADifferentPath_StartsOver()
    {
        var cache = new ProgramPathCache(p => p is "/a/tool" or "/b/tool");
        Assert.Equal("/a/tool", cache.Find("tool", "/a:/b"));
        Assert.Equal("/b/tool", cache.Find("tool", "/b:/a"));
        Assert.Equal("/a/tool", cache.Find("tool", "/a:/b"));
    }

    [Fact]
    public void Find_NothingFound_IsNotCached()
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        var cache = new ProgramPathCache(files.Contains);
        Assert.Null(cache.Find("tool", "/a"));
        files.Add("/a/tool");
        Assert.Equal("/a/tool", cache.Find("tool", "/a"));
    }

    [Fact]
    public void Find_RealFiles_SkipsDirectoriesAndFilesWithoutExecutePermission()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var (a, b, c) = (dir.File("a"), dir.File("b"), dir.File("c"));
        Directory.CreateDirectory(Path.Combine(a, "tool")); // a directory of that name
        Directory.CreateDirectory(b);
        File.WriteAllText(Path.Combine(b, "tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(b, "tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite); // not executable
        Directory.CreateDirectory(c);
        File.WriteAllText(Path.Combine(c, "tool"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(c, "tool"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        Assert.Equal(Path.Combine(c, "tool"), new ProgramPathCache().Find("tool", $"{a}:{b}:{c}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_ProgramRemovedFromItsCachedPath_TheNextCommandsFindTheOneFurtherOnPath()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // -j 1: the first command runs a/tool, which removes itself; the others must run b/tool, as execvp would.
        using var dir = new TempDirectory();
        var (a, b) = (dir.File("a"), dir.File("b"));
        Directory.CreateDirectory(a);
        Directory.CreateDirectory(b);
        WriteScript(Path.Combine(a, "tool"), $"#!/bin/sh\n/bin/rm -f '{Path.Combine(a, "tool")}'\necho \"a $1\"\n");
        WriteScript(Path.Combine(b, "tool"), "#!/bin/sh\necho \"b $1\"\n");
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n2\n3\n");

        using var process = CliProcess.Start(dir.Path, new Dictionary<string, string> { ["PATH"] = $"{a}:{b}" }, "run", "in.txt", "-x", "tool {}", "-j", "1", "-q", "-o", "out.txt");
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal("a 1\nb 2\nb 3\n", await File.ReadAllTextAsync(dir.File("out.txt")));
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void WriteScript(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
