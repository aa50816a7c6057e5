namespace Brigade.Cli.Tests.Review63Run;

/// <summary>
/// run63: `brigade run in.txt -x 'echo {%}' -j 0 --engine threads` printed "brigade run: --jobs 4974: the open-file and process
/// limits (ulimit -n, ulimit -u) leave room for 4973 commands at once; running at most 4973": -j 0 became the limit as read
/// once, and the limit read again a moment later (the user's processes had changed) was one less. -j 0 asked for that limit:
/// no notice of a number the user never gave.
/// </summary>
public sealed class JobsZeroNoticeTests
{
    [Fact(Timeout = 60_000)]
    public async Task JobsZero_PrintsNoNoticeOfANumberNeverGiven()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "a\nb\nc\n");

        // A process of its own: the limit is read from its open files, which a starting brigade adds to between the two
        // reads (main's build printed the notice in 4 of 4 such runs); a test host's open files may stay put between them.
        var (code, stdout, stderr) = await CliProcess.RunAsync(dir.Path, (string?)null, "run", "in.txt", "-x", "echo {}", "-j", "0", "-e", "threads");

        Assert.True(code == 0, stderr);
        Assert.Equal("a\nb\nc\n", stdout);
        Assert.DoesNotContain("leave room for", stderr, StringComparison.Ordinal);
    }
}
