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
            TimeSpan? group = null;
            while (deadline.Elapsed < TimeSpan.FromSeconds(20) && (group = ProcessCpuClock.OfGroup(shell.Id)) is not { TotalMilliseconds: >= 200 })
            {
                await Task.Delay(50);
            }

            var own = ProcessCpuClock.OfProcess(shell.Id);
            Assert.True(group >= TimeSpan.FromMilliseconds(200), $"group {group}");
            Assert.NotNull(own);
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
        Assert.Null(ProcessCpuClock.OfProcess(int.MaxValue));
        Assert.Null(ProcessCpuClock.OfGroup(int.MaxValue));
    }
}
