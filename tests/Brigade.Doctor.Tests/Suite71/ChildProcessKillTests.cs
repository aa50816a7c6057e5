using System.Diagnostics;

namespace Brigade.Doctor.Tests.Suite71;

/// <summary>Suite 71: a child process is killed with what it started (its tree read from /proc, no longer by reading every
/// process's stat as Process.Kill(entireProcessTree) does).</summary>
public sealed class ChildProcessKillTests
{
    [Fact]
    public async Task Kill_AlsoEndsTheProgramRunuserStarted_WhoseStandardInputIsStillOpen()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !(File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser")))
        {
            return;   // Needs root and runuser (CI runs as root on Debian).
        }

        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-idle"], asUser: "root");
        var program = child.ProgramId();
        Assert.NotEqual(child.Id, program);

        // runuser killed alone leaves the program running: its standard input (this process's pipe) stays open.
        await child.KillAsync();

        var waited = Stopwatch.StartNew();
        while (IsRunning(program) && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }

        Assert.False(IsRunning(program), $"the program {program} that runuser {child.Id} started still runs");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
