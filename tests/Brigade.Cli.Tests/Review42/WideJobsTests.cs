using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review42;

/// <summary>
/// <c>--jobs N</c> with auto mode is a ceiling auto mode may reach: 300 sleeping commands with <c>-j 300</c> ran at most
/// 64 at once on 2 cores (32 per core, auto mode's own ceiling for commands), where <c>xargs -P 300</c> runs 300 (review 41).
/// </summary>
public sealed class WideJobsTests
{
    // N commands, each waiting until all N have started (60 s at most): they succeed only if all N run at once. N is past
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
        using var gate = Gate.Make(dir)!;
        Directory.CreateDirectory(dir.File("started"));
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, n).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        // Each command marks its start (a file made by the shell itself), waits at a gate (a FIFO read: no process), then
        // counts the marks with the shell's own glob. The test host opens the gate once all N have started, or after 60 s
        // without: the commands then find fewer than N marks and fail, as the first 64 did before the fix. Until review 71
        // the commands polled (`sleep 0.5` until all N marks were there, up to 120 times: ~500 process starts a case on
        // the loaded CI machine, where the N starts take seconds); no ls | wc per look since 2026-12-05. In-process
        // (CliRunner; a start of brigade per case until 2026-12-05): the width is the engine's, the same in a process;
        // absolute paths, as the commands start in the test host's directory.
        var started = dir.File("started");
        var command = $": > {started}/{{}}; {gate.Wait}; set -- {started}/*; [ $# -ge {n} ]";

        var run = Task.Run(() => CliRunner.RunAsync("run", dir.File("in.txt"), "-x", command, "-j", jobsZero ? "0" : $"{n}", "-o", dir.File("out.txt")));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.GetFiles(started).Length < n && !run.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(50);
        }

        gate.Let(n);
        var (code, _, stderr) = await run.WaitAsync(TimeSpan.FromSeconds(150));

        Assert.True(code == 0, stderr);
        Assert.Contains($"{n} items, 0 failed", stderr, StringComparison.Ordinal);
    }
}
