using System.Diagnostics;
using System.Globalization;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review67Run;

/// <summary>
/// run67: every command brigade killed (--timeout, a stop, --fail-fast) cost ~160 ms of CPU, since its process tree was
/// found by reading every process of the system (Process.Kill(entireProcessTree)), once per process of the tree: 60
/// commands timed out took 41 s and 12.3 s of CPU, a stop of 60 running commands 43.5 s. The tree is now read from
/// itself (/proc/PID/task/TID/children); a descendant that left the command's group still dies.
/// </summary>
public sealed class KillCostTests
{
    [Fact(Timeout = 300_000)]
    public async Task ThirtyTimedOutCommands_CostBrigadeLessThanThreeSecondsOfCpu()
    {
        if (!OperatingSystem.IsLinux() || !ExecSpawner.IsAvailable)
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), string.Concat(Enumerable.Range(1, 30).Select(static i => $"{i}\n")));

        // brigade's own CPU (user + system), as its shell's `times` reports its waited-for child: the commands are sleeps.
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "\"$@\" >/dev/null 2>err.txt; echo rc=$?; times", "sh", "dotnet", CliProcess.CliDll, "run", "in.txt", "-x", "sleep 10; : {}", "--timeout", "200ms", "-j", "30", "-e", "threads", "-o", "out.txt", "-q" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 3, stdout);
        Assert.Equal("rc=1", lines[0]); // every item failed: timed out
        var cpu = lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Seconds).Sum();

        // Failed before: 30 kills at ~0.16-0.3 s each (a machine of ~140 processes), 5-9 s. Now: brigade's start and 30
        // commands, about 1 s.
        Assert.True(cpu < 3.0, $"brigade used {cpu:0.00} s of CPU for 30 timed-out commands\n{stdout}\n{await File.ReadAllTextAsync(dir.File("err.txt"))}");
        Assert.Equal(30, File.ReadLines(dir.File("out.txt.failures.jsonl")).Count());
    }

    [Fact(Timeout = 60_000)]
    public async Task AKilledCommand_ReadsNoOtherProcess_AndItsDescendantThatLeftTheGroupDies()
    {
        if (!OperatingSystem.IsLinux() || !ExecSpawner.IsAvailable || !File.Exists($"/proc/{Environment.ProcessId}/task/{Environment.ProcessId}/children"))
        {
            return;
        }

        using var dir = new TempDirectory();
        var pidFile = dir.File("pid");
        var scans = ProcessTree.FullScans;

        // A descendant in a session of its own (out of the command's group), its output away from the command's.
        var command = $"setsid sh -c 'echo $$ > {pidFile}; exec sleep 60' </dev/null >/dev/null 2>&1 & while [ ! -s {pidFile} ]; do sleep 0.05; done; sleep 60";
        var error = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync(command, TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);

        var waited = Stopwatch.StartNew();
        while (Alive(pid) && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.False(Alive(pid), $"pid {pid}, which left the command's group, outlived the kill");
        Assert.Equal(scans, ProcessTree.FullScans);
    }

    [Fact(Timeout = 60_000)]
    public async Task WithoutTheChildrenFiles_AKillReadsEveryProcess_AndStillKillsTheDescendantThatLeftTheGroup()
    {
        if (!OperatingSystem.IsLinux() || !ExecSpawner.IsAvailable)
        {
            return;
        }

        using var dir = new TempDirectory();
        var pidFile = dir.File("pid");
        ProcessTree.ForceFullScan.Value = true;
        try
        {
            var command = $"setsid sh -c 'echo $$ > {pidFile}; exec sleep 60' </dev/null >/dev/null 2>&1 & while [ ! -s {pidFile} ]; do sleep 0.05; done; sleep 60";
            var scans = ProcessTree.FullScans;
            await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync(command, TimeSpan.FromSeconds(3), CancellationToken.None));
            Assert.True(ProcessTree.FullScans > scans);
        }
        finally
        {
            ProcessTree.ForceFullScan.Value = false;
        }

        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
        var waited = Stopwatch.StartNew();
        while (Alive(pid) && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        Assert.False(Alive(pid), $"pid {pid}, which left the command's group, outlived the kill");
    }

    // "0m1.230000s"
    private static double Seconds(string time)
    {
        var m = time.IndexOf('m', StringComparison.Ordinal);
        return (int.Parse(time[..m], CultureInfo.InvariantCulture) * 60) + double.Parse(time[(m + 1)..^1], CultureInfo.InvariantCulture);
    }

    // Alive and not a zombie (a killed process whose parent has not reaped it yet is dead).
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
