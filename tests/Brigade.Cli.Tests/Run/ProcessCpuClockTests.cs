using System.Diagnostics;
using Brigade.Auto;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>A running command's use from /proc, summed over its process group (a shell's or a script's children).</summary>
public sealed class ProcessCpuClockTests
{
    [Fact(Timeout = 60_000)]
    public async Task TryReadGroup_CountsTheShellsChildren_AndSaysTheyAreRunnable()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return;
        }

        // setsid runs the shell as the leader of a group of its own; the shell starts a spinning child in that group and
        // waits for it (its own clock stays near zero: only the group's shows the child).
        using var shell = Process.Start(new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "/bin/sh", "-c", "sh -c 'while :; do :; done' & wait" } })!;
        try
        {
            var deadline = Stopwatch.StartNew();
            var reading = default(ExternalCpuReading);
            while (deadline.Elapsed < TimeSpan.FromSeconds(20) && !(ProcessCpuClock.TryReadGroup(shell.Id, out reading) && reading.CpuTime >= TimeSpan.FromMilliseconds(200)))
            {
                await Task.Delay(50);
            }

            Assert.True(reading.CpuTime >= TimeSpan.FromMilliseconds(200), $"group {reading}");
            Assert.True(reading.Runnable, $"a spinning child is running or ready to run: {reading}");
        }
        finally
        {
            _ = ExecNative.kill(-shell.Id, ExecNative.SigKill);
            await shell.WaitForExitAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task TryReadGroup_OfASleepingGroup_UsesNoCpu_AndIsNotRunnable()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/usr/bin/setsid"))
        {
            return;
        }

        using var sleeper = Process.Start(new ProcessStartInfo("/usr/bin/setsid") { ArgumentList = { "/bin/sh", "-c", "sleep 30 & wait" } })!;
        try
        {
            // Asleep, both of them, before the reading: after a fixed 300 ms a loaded machine had the shell still
            // starting (runnable), or the sleep not yet forked.
            var clock = Stopwatch.StartNew();
            while (!GroupAsleep(sleeper.Id) && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }

            Assert.True(GroupAsleep(sleeper.Id), "the shell and its sleep were not both asleep within 30 s");
            Assert.True(ProcessCpuClock.TryReadGroup(sleeper.Id, out var reading));
            Assert.True(reading.CpuTime < TimeSpan.FromMilliseconds(100), reading.ToString());
            Assert.False(reading.Runnable, reading.ToString());
        }
        finally
        {
            _ = ExecNative.kill(-sleeper.Id, ExecNative.SigKill);
            await sleeper.WaitForExitAsync();
        }
    }

    // The group's shell and its sleep child both exist and are in state S (interruptible sleep).
    private static bool GroupAsleep(int group)
    {
        var members = ProcessTable.List().Where(p => p.Group == group).ToList();
        return members.Count == 2 && members.Any(p => p.CommandLine.StartsWith("sleep", StringComparison.Ordinal)) && members.All(p => State(p.Pid) == 'S');
    }

    private static char State(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0];
        }
        catch (IOException)
        {
            return '-';
        }
    }

    [Fact]
    public void TryReadGroup_OfNoProcess_IsUnknown()
    {
        Assert.False(ProcessCpuClock.TryReadGroup(int.MaxValue, out _));
        Assert.False(ProcessCpuClock.TryReadGroup(0, out _));
    }

    [Theory]
    [InlineData(5000, 4000, 6000, false, true)] // at or above the lowest leader: read
    [InlineData(3999, 4000, 6000, false, false)] // below it, ids never wrapped: an older process
    [InlineData(350, 4000, 900, true, true)] // ids wrapped since (the last id given, 900, is below the floor): started after the wrap
    [InlineData(950, 4000, 900, true, false)] // above the last id given after a wrap: an older process the wrap went around
    [InlineData(3500, 4000, 4200, true, true)] // ids wrapped and climbed past the floor again: any id below it may be a child
    [InlineData(300, 4000, 0, false, false)] // the last id not known: the floor alone
    public void InScan_ReadsTheProcessesStartedAfterTheIdsWrapped(int pid, int floor, int lastPid, bool wrapped, bool read) =>
        Assert.Equal(read, ProcessCpuClock.InScan(pid, floor, lastPid, wrapped));

    [Fact]
    public void RunDelayNanoseconds_IsSchedstatsSecondField_AndZeroForAProcessThatIsGone()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/self/schedstat"))
        {
            return;
        }

        // The process's main thread's wait for a core only grows: read between two reads of the file itself.
        static long Field() => long.Parse(File.ReadAllText($"/proc/{Environment.ProcessId}/schedstat").Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var before = Field();
        var read = ProcessCpuClock.RunDelayNanoseconds(Environment.ProcessId);
        var after = Field();
        Assert.InRange(read, before, after);
        Assert.Equal(0, ProcessCpuClock.RunDelayNanoseconds(int.MaxValue));
    }
}
