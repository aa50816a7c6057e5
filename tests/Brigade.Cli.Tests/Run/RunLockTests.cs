using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>
/// <see cref="RunLock"/> within one process. A run that released its lock while another thread was starting a child
/// (the child has a copy of the descriptor between its fork and its exec) refused the next run on the same output with
/// "another brigade run (pid &lt;its own pid&gt;)": seen in CI, twice, for a <c>--resume</c> right after a
/// <c>--fail-fast</c> run ended. The copy is simulated here by a second descriptor of the lock file, locked and carrying
/// this process's pid, as a child's copy does.
/// </summary>
public sealed class RunLockTests
{
    [Fact(Timeout = 60_000)]
    public async Task Take_AfterARelease_WaitsForADescriptorCopyLeftInAChildBeingStarted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = PathsFor(dir);
        RunLock.Take(paths).Dispose();

        var copy = HoldLockFile(dir, Environment.ProcessId);
        // Set just before the copy is closed: a take that returns has seen the lock free, so the close had begun. The task's
        // own completion comes after close(2) returns, and a take that won the lock in between is right (ci123 read
        // IsCompleted there and failed at load: "taken while the copy still held the lock", 334 ms).
        var closing = 0;
        var release = Task.Run(async () =>
        {
            await Task.Delay(300);
            Volatile.Write(ref closing, 1);
            NativeMethods.Close(copy);
        });

        using (RunLock.Take(paths))
        {
            Assert.True(Volatile.Read(ref closing) == 1, "taken while the copy still held the lock");
        }

        await release;
    }

    [Fact]
    public void Take_HeldByAnotherProcess_IsRefusedNamingItsPid()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = PathsFor(dir);
        RunLock.Take(paths).Dispose();
        var other = HoldLockFile(dir, 1);
        try
        {
            var refused = Assert.Throws<CliUsageException>(() => RunLock.Take(paths));
            Assert.StartsWith("another brigade run (pid 1) is writing", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            NativeMethods.Close(other);
        }
    }

    [Fact]
    public void Take_HeldByARunOfThisProcess_IsRefused_AndFreeAgainOnceItEnds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        var paths = PathsFor(dir);
        using (RunLock.Take(paths))
        {
            var refused = Assert.Throws<CliUsageException>(() => RunLock.Take(paths));
            Assert.StartsWith($"another brigade run (pid {Environment.ProcessId}) is writing", refused.Message, StringComparison.Ordinal);
        }

        RunLock.Take(paths).Dispose();
    }

    private static RunPaths PathsFor(TempDirectory dir)
    {
        File.WriteAllText(dir.File("in.txt"), "1\n");
        return RunPaths.Resolve(dir.File("in.txt"), dir.File("lockprobe.txt"), null, null, null, null, "echo {}");
    }

    // A second descriptor of the output's lock file, locked, with `pid` in it.
    private static int HoldLockFile(TempDirectory dir, int pid)
    {
        var file = RunLock.FileFor(dir.File("lockprobe.txt"));
        Assert.NotNull(file);
        var fd = NativeMethods.OpenLockFile(file);
        Assert.True(fd >= 0);
        Assert.True(NativeMethods.TryLockExclusive(fd, out _));
        NativeMethods.WriteWhole(fd, Encoding.ASCII.GetBytes($"{pid}\n"));
        return fd;
    }
}
