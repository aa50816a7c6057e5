using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Auto69;

/// <summary>
/// auto69: a running command's CPU clock summed its process group only, and <c>timeout</c> (like any program that calls
/// <c>setpgid</c>) puts what it runs in a group of its own: 6 × <c>timeout 3 sh -c 'while :; do :; done'</c> read as
/// waiting (264 µs CPU per item) and planned Async ×64, many more CPU-bound processes than cores. The clock now counts
/// the command's whole live process tree (the plan of that repro is still Async ×64: a busy tree reads runnable, and
/// the batch inspector skips runnable readings; left open, see review 69's note).
/// </summary>
public sealed class ProcessTreeClockTests
{
    private static readonly Dictionary<string, string> NoPlanCache = new() { ["BRIGADE_NO_PLAN_CACHE"] = "1" };

    [Fact(Timeout = 120_000)]
    public async Task SleepingTreesUnderTimeout_StillPlanAsync()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/timeout"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var input = string.Concat(Enumerable.Repeat("timeout 5 sleep 2\n", 6));
        var (exit, _, stderr) = await CliProcess.RunAsync(dir.Path, NoPlanCache, input, TimeSpan.FromSeconds(100),
            "run", "-", "-x", "sh -c {}", "-o", "out.txt");

        Assert.True(exit == 0, stderr);
        Assert.Contains("Async", PlanLine(stderr), StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task TheClock_CountsAGrandchildReapedByItsParent_InAnotherGroup()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid") || !File.Exists("/usr/bin/timeout"))
        {
            return;
        }

        // The command (a group of its own, as brigade starts it) runs timeout, which moves to a group of its own; under it a
        // shell runs a grandchild that burns 0.4 s of its own CPU (read from its /proc/self/stat, so a loaded machine does not
        // shorten it), waits for it (its time goes to that shell's cutime), says so, and sleeps. The command's group holds
        // only the first shell, whose clock stays near zero. (1 s until suite72: the clock is read against 80% of the burn
        // either way, and without the grandchild it reads the shells' few milliseconds, far under either bound.)
        using var dir = new TempDirectory();
        var done = Path.Combine(dir.Path, "done");
        const string Burn = "while :; do read -r l < /proc/self/stat; set -- $l; [ $((${14}+${15})) -ge 40 ] && break; done";
        var script = Path.Combine(dir.Path, "inner.sh");
        await File.WriteAllTextAsync(script, $"sh -c '{Burn}'; : > {done}; sleep 60\n");
        using var root = Process.Start(new ProcessStartInfo("/usr/bin/setsid")
        {
            ArgumentList = { "/bin/sh", "-c", $"timeout 90 sh {script}; :" },
        })!;
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(done) && clock.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(50);
            }

            Assert.True(File.Exists(done), "the grandchild did not burn its 0.4 s within 90 s");
            await Task.Delay(ProcessCpuClock.GroupScanInterval * 2);
            Assert.True(ProcessCpuClock.TryReadGroup(root.Id, out var reading), "the command's clock could not be read");
            Assert.True(reading.CpuTime >= TimeSpan.FromSeconds(0.32), $"the tree's clock read {reading}");
            Assert.False(reading.Runnable, $"only sleeps are left: {reading}");
        }
        finally
        {
            _ = ProcessTree.Kill(root.Id);
            await root.WaitForExitAsync();
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task TheClock_OfATreeOfSleepsUnderTimeout_ReadsWaiting()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid") || !File.Exists("/usr/bin/timeout"))
        {
            return;
        }

        using var root = Process.Start(new ProcessStartInfo("/usr/bin/setsid")
        {
            ArgumentList = { "/bin/sh", "-c", "timeout 60 sh -c 'sleep 60 & sleep 60 & wait'; :" },
        })!;
        try
        {
            // Started and asleep: read twice a second apart; the tree used next to nothing between.
            await Task.Delay(1_000);
            Assert.True(ProcessCpuClock.TryReadGroup(root.Id, out var first));
            await Task.Delay(1_000);
            Assert.True(ProcessCpuClock.TryReadGroup(root.Id, out var second));
            Assert.True(second.CpuTime - first.CpuTime < TimeSpan.FromMilliseconds(200), $"{first} then {second}");
        }
        finally
        {
            _ = ProcessTree.Kill(root.Id);
            await root.WaitForExitAsync();
        }
    }

    private static string PlanLine(string stderr)
    {
        var at = stderr.LastIndexOf("plan: ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"no plan in:\n{stderr}");
        var end = stderr.IndexOf('\n', at);
        return stderr[at..(end < 0 ? stderr.Length : end)];
    }
}
