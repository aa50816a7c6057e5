using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// <c>--jobs N</c> with auto mode is a ceiling auto mode may reach: 300 sleeping commands with <c>-j 300</c> ran at most
/// 64 at once on 2 cores (32 per core, auto mode's own ceiling for commands), where <c>xargs -P 300</c> runs 300 (review 41).
/// </summary>
public sealed class WideJobsTests
{
    // N commands, each waiting (up to 60 s) until all N have started: they finish only if all N run at once. N is past
    // auto mode's own ceiling (32 per core), so before the fix the first 64 (on 2 cores) timed out and failed.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AutoWithJobsAboveTheCommandLimit_RunsThemAllAtOnce(bool jobsZero)
    {
        var n = EngineResources.CommandLimit() + 8;
        if (!OperatingSystem.IsLinux() || n > 300 || EngineResources.SystemCommandLimit() is not { } room || room < n)
        {
            return; // a machine with many cores: too many processes for a test
        }

        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("started"));
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // Counted by the shell's own glob (no ls | wc per look: 72 commands polling with two processes each, five times a
        // second, were hundreds of process starts a second on the 2-core CI machine). In-process (CliRunner; a start of
        // brigade per case until 2026-12-05): the width is the engine's, the same in a process; absolute paths, as the
        // commands start in the test host's directory.
        var started = dir.File("started");
        var command = $"touch {started}/{{}}; i=0; while set -- {started}/*; [ $# -lt {n} ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done; set -- {started}/*; [ $# -ge {n} ]";

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command, "-j", jobsZero ? "0" : $"{n}", "-o", dir.File("out.txt")).WaitAsync(TimeSpan.FromSeconds(150));

        Assert.True(code == 0, stderr);
        Assert.Contains($"{n} items, 0 failed", stderr, StringComparison.Ordinal);
    }
}
