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

    [Fact(Timeout = 30_000)]
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
            Assert.True(sleeper.WaitForExit(5_000), "the starting command was not killed");
            Assert.False(bystander.HasExited, "a process with another number was killed");
        }
        finally
        {
            Kill(sleeper);
            Kill(bystander);
        }
    }

    [Fact(Timeout = 30_000)]
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
            await Task.Delay(300);
            var group = ProcessTable.List().Where(p => p.Group == leader.Id).Select(p => p.Pid).ToList();
            Assert.True(group.Count >= 2, "the test's command group did not start");
            await RunReaperAsync($"G 1 {leader.Id}\nF 2 {finished.Id}\nE\nG 3 {finished.Id}\n");
            Assert.Empty(await ProcessTable.WaitGoneAsync(group, TimeSpan.FromSeconds(5)));
            Assert.False(finished.HasExited, "a free slot's process was killed (or one listed after the end)");
        }
        finally
        {
            Kill(leader);
            Kill(finished);
        }
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
