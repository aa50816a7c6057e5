using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// The reaper's script on its own, with a list written by the test: what it kills when brigade's end of the pipe closes
/// (here: its stdin is /dev/null). Linux.
/// </summary>
public sealed class ExecReaperScriptTests
{
    private const string Prefix = "test-reaper.";

    [Fact(Timeout = 90_000)]
    public async Task CommandListedAsStarting_IsFoundByItsNumberInTheEnvironment_AndKilled()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // What a brigade killed between the spawn and the line naming the process leaves: the number only.
        var number = Random.Shared.Next(1_000_000, 9_000_000);
        using var sleeper = StartSleeper(new Dictionary<string, string> { [ExecReaper.IdVariable] = Prefix + number });
        using var bystander = StartSleeper(new Dictionary<string, string> { [ExecReaper.IdVariable] = Prefix + (number + 1) });
        try
        {
            await RunReaperAsync($"T {number}\nE\n");
            Assert.True(sleeper.WaitForExit(ProcessTable.GoneBound), "the starting command was not killed");
            Assert.False(bystander.HasExited, "a process with another number was killed");
        }
        finally
        {
            Kill(sleeper);
            Kill(bystander);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task RunningAndExitedCommands_TheirGroupsAreKilled_FreeSlotsAreLeftAlone()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // 'G': a command leading its own group (a background child in the group too); 'F': a finished one.
        using var leader = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", "sleep 60 & sleep 60"]) { UseShellExecute = false })!;
        using var finished = StartSleeper(null);
        try
        {
            // Both of the group's processes, watched for: a fixed 300 ms is not enough for setsid and a shell at load.
            var group = new List<int>();
            var clock = Stopwatch.StartNew();
            while ((group = ProcessTable.List().Where(p => p.Group == leader.Id).Select(p => p.Pid).ToList()).Count < 2 && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            Assert.True(group.Count >= 2, "the test's command group did not start within 30 s");
            await RunReaperAsync($"G 1 {leader.Id}\nF 2 {finished.Id}\nE\nG 3 {finished.Id}\n");
            Assert.Empty(await ProcessTable.WaitGoneAsync(group, ProcessTable.GoneBound));
            Assert.False(finished.HasExited, "a free slot's process was killed (or one listed after the end)");
        }
        finally
        {
            Kill(leader);
            Kill(finished);
        }
    }

    [Theory(Timeout = 90_000)]
    [InlineData("HUP")] // the terminal closed
    [InlineData("INT")] // Ctrl+C to the foreground group
    [InlineData("TERM")] // a supervisor (systemd, timeout, a CI runner) stopping the whole group
    public async Task SignalToTheWholeGroup_DoesNotStopTheReaper_ItStillKillsTheListedCommandsWhenBrigadesEndCloses(string signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var leader = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", "sleep 60 & sleep 60"]) { UseShellExecute = false })!;
        using var dir = new TempDirectory();
        try
        {
            await File.WriteAllTextAsync(dir.File("slots"), $"G 1 {leader.Id}\nE\n");

            // The reaper waits on a pipe (brigade's end here is the test's). A signal fatal to it is acted on at once:
            // it interrupts the read, so the reaper would be dead before the pipe closes below.
            // Signals at their defaults first (a test host may be started with some ignored), as brigade's may be.
            var psi = new ProcessStartInfo("env", ["--default-signal=HUP,INT,TERM", "/bin/sh", "-c", "exec 3<\"$1\"; shift; exec /bin/sh -c \"$@\"", "wrapper", dir.File("slots"), ExecReaper.Script, "brigade-reaper", ExecReaper.IdVariable + "=" + Prefix])
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
            };
            using var reaper = Process.Start(psi)!;
            await WaitForReaperAsync(reaper.Id);
            using (var kill = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"kill -s {signal} {reaper.Id}"]) { UseShellExecute = false })!)
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            reaper.StandardInput.Close();
            await reaper.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(reaper.ExitCode == 0, $"the reaper died of signal {signal} (exit {reaper.ExitCode})");
            Assert.Empty(await ProcessTable.WaitGoneAsync([leader.Id], ProcessTable.GoneBound));
        }
        finally
        {
            Kill(leader);
        }
    }

    // Until the script's trap line ran, the wrapper shell (or the script) would die of any of these signals: wait until
    // the process ignores all three. The trap line sets them one after the other (one sigaction each), so SIGINT ignored
    // is not yet SIGTERM ignored: a loaded CI host preempted the shell in between, and the test's TERM killed it.
    private static async Task WaitForReaperAsync(int pid)
    {
        var clock = Stopwatch.StartNew();
        while (!IgnoresHupIntTerm(pid))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "the reaper did not start within 20 s");
            await Task.Delay(20);
        }
    }

    private static bool IgnoresHupIntTerm(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var ignored = ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        const ulong HupIntTerm = (1UL << (1 - 1)) | (1UL << (2 - 1)) | (1UL << (15 - 1)); // signal n is bit n − 1
        return (ignored & HupIntTerm) == HupIntTerm;
    }

    private static Process StartSleeper(Dictionary<string, string>? environment)
    {
        var psi = new ProcessStartInfo("sleep", ["60"]) { UseShellExecute = false };
        foreach (var (name, value) in environment ?? [])
        {
            psi.Environment[name] = value;
        }

        return Process.Start(psi)!;
    }

    private static async Task RunReaperAsync(string slots)
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("slots"), slots);
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "exec 3<\"$1\" </dev/null; shift; exec /bin/sh -c \"$@\"", "wrapper", dir.File("slots"), ExecReaper.Script, "brigade-reaper", ExecReaper.IdVariable + "=" + Prefix]) { UseShellExecute = false };
        using var reaper = Process.Start(psi)!;
        await reaper.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }
}
