using System.Text.Json;

namespace Brigade.Cli.Tests.Auto71;

/// <summary>
/// auto71/auto72: 6 × <c>timeout 3 sh -c 'while :; do :; done'</c> planned Async ×64 ("async I/O"): each command exits 124
/// (timeout's), and <c>brigade run</c> reported a command's CPU time (<c>ExternalCpuTime.Add</c>) only when it succeeded,
/// so the finished items read as 3 s of waiting each. A failed command's CPU time now counts, for auto mode and the run's
/// figures alike.
/// </summary>
public sealed class BusyCommandsUnderTimeoutTests
{
    private static readonly Dictionary<string, string> NoPlanCache = new() { ["BRIGADE_NO_PLAN_CACHE"] = "1" };

    // About 0.2 s of CPU in dash; then the shell's own user and system time (on stdout, kept as a failed item's output), then a failure.
    private const string BusyThenFail = "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; times; exit 3; : {}";

    [Fact(Timeout = 120_000)]
    public async Task FailedCommands_CountTheirCpu_InTheRunsFigures()
    {
        // The seam without auto mode's timing: the trace's batches carry the CPU time the items reported. Before, a failed
        // command's was never reported: a few ms of brigade's own thread per item against ~0.2 s each.
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2", "3", "4"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", BusyThenFail, "--engine", "threads", "-j", "2",
            "-o", dir.File("out.txt"), "--trace", dir.File("trace.json"));

        Assert.True(code != 0, stderr);
        Assert.Contains("exit code 3", stderr, StringComparison.Ordinal);
        var commands = RunCpu.CommandCpuTests.CommandsCpu(await File.ReadAllTextAsync(dir.File("out.txt")), 4);
        var traced = TimeSpan.Zero;
        using (var trace = JsonDocument.Parse(await File.ReadAllTextAsync(dir.File("trace.json"))))
        {
            foreach (var e in trace.RootElement.GetProperty("traceEvents").EnumerateArray())
            {
                if (e.TryGetProperty("args", out var args) && args.TryGetProperty("cpuMs", out var cpu))
                {
                    traced += TimeSpan.FromMilliseconds(cpu.GetDouble());
                }
            }
        }

        Assert.True(traced >= commands * 0.8, $"the trace's CPU {traced} against the failed commands' {commands}");
    }

    [Fact(Timeout = 120_000)]
    public async Task BusyCommandsKilledByTimeout_PlanCpuBound_NotAsync()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/timeout"))
        {
            return;
        }

        // Real busy commands, kept short: 4 × 1 s (at most ~4 s of CPU).
        using var dir = new TempDirectory();
        var input = string.Concat(Enumerable.Repeat("timeout 1 sh -c 'while :; do :; done'\n", 4));
        var (exit, _, stderr) = await CliProcess.RunAsync(dir.Path, NoPlanCache, input, TimeSpan.FromSeconds(100),
            "run", "-", "-x", "sh -c {}", "-o", "out.txt");

        Assert.True(exit != 0, stderr); // every command fails with timeout's 124
        Assert.Contains("exit code 124", stderr, StringComparison.Ordinal);
        var plan = PlanLine(stderr);
        Assert.DoesNotContain("Async", plan, StringComparison.Ordinal);
        Assert.Contains("CPU-bound", plan, StringComparison.Ordinal);
    }

    private static string PlanLine(string stderr)
    {
        var at = stderr.LastIndexOf("plan: ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no plan in:\n{stderr}");
        var end = stderr.IndexOf('\n', at);
        return stderr[at..(end < 0 ? stderr.Length : end)];
    }
}
