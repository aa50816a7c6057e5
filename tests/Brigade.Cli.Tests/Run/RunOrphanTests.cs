using System.Diagnostics;

namespace Brigade.Cli.Tests.Run;

/// <summary>brigade run killed with SIGKILL leaves no command running behind it (Linux: see ExecReaper).</summary>
public sealed class RunOrphanTests
{
    [Fact(Timeout = 90_000)]
    public async Task Run_KilledWithSigkill_TakesItsRunningCommandsAndTheirChildrenWithIt()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The reaper reads /proc; elsewhere commands may outlive a killed brigade (documented).
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2"]);
        var marker = $"orphan-test-{Guid.NewGuid():N}";
        using var brigade = CliProcess.Start(dir.Path, "run", dir.File("in.txt"), "--exec", $"sleep 30; echo {marker} {{}}", "-e", "threads", "-j", "2", "-q", "-o", dir.File("out.txt"));
        var commands = new List<int>();
        try
        {
            // Both commands' shells and their `sleep` children are running.
            var deadline = Stopwatch.StartNew();
            List<int> shells = [], sleeps = [];
            while (deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                shells = Processes().Where(p => p.ParentPid == brigade.Id && p.CommandLine.Contains(marker, StringComparison.Ordinal)).Select(p => p.Pid).ToList();
                sleeps = Processes().Where(p => shells.Contains(p.ParentPid)).Select(p => p.Pid).ToList();
                if (shells.Count == 2 && sleeps.Count == 2)
                {
                    break;
                }

                await Task.Delay(50);
            }

            Assert.True(shells.Count == 2 && sleeps.Count == 2, $"commands did not start: {shells.Count} shells, {sleeps.Count} sleeps");
            commands = [.. shells, .. sleeps];

            brigade.Kill(); // SIGKILL: brigade runs no code of its own from here.
            await brigade.WaitForExitAsync();

            var gone = Stopwatch.StartNew();
            while (commands.Any(IsAlive) && gone.Elapsed < ProcessTable.GoneBound)
            {
                await Task.Delay(50);
            }

            Assert.False(commands.Any(IsAlive), $"still running {ProcessTable.GoneBound.TotalSeconds:0} s after brigade was killed: {string.Join(", ", commands.Where(IsAlive))}");
        }
        finally
        {
            foreach (var pid in commands.Where(IsAlive))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
    }

    private static bool IsAlive(int pid) => ProcessTable.IsAlive(pid);

    private static IEnumerable<(int Pid, int ParentPid, string CommandLine)> Processes() => ProcessTable.List().Select(p => (p.Pid, p.ParentPid, p.CommandLine));
}
