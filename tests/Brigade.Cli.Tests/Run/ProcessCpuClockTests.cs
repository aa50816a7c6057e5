using System.Diagnostics;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>A running command's CPU clock from /proc: of its process, and of its whole process group (a shell's children).</summary>
public sealed class ProcessCpuClockTests
{
    [Fact(Timeout = 60_000)]
    public async Task OfGroup_CountsTheShellsChildren_OfProcessOnlyItself()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return;
        }

        // setsid runs the shell as the leader of a group of its own; the shell starts a spinning child in that group and waits.
        using var shell = Process.Start(new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "/bin/sh", "-c", "sh -c 'while :; do :; done' & wait" } })!;
        try
        {
            var deadline = Stopwatch.StartNew();
            var group = TimeSpan.Zero;
            while (deadline.Elapsed < TimeSpan.FromSeconds(20) && !(ProcessCpuClock.TryReadGroup(shell.Id, out group, out _) && group >= TimeSpan.FromMilliseconds(200)))
            {
                await Task.Delay(50);
            }

            Assert.True(group >= TimeSpan.FromMilliseconds(200), $"group {group}");
            Assert.True(ProcessCpuClock.TryReadProcess(shell.Id, out var own, out _));
            Assert.True(own < TimeSpan.FromMilliseconds(100), $"the waiting shell itself: {own}");
        }
        finally
        {
            _ = ExecNative.kill(-shell.Id, ExecNative.SigKill);
            await shell.WaitForExitAsync();
        }
    }

    [Fact]
    public void OfProcess_OfNoProcess_IsUnknown()
    {
        Assert.False(ProcessCpuClock.TryReadProcess(int.MaxValue, out _, out _));
        Assert.False(ProcessCpuClock.TryReadGroup(int.MaxValue, out _, out _));
    }
}
