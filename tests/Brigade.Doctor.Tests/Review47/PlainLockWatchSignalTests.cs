using System.Diagnostics;
using System.Globalization;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

/// <summary>Review 47: a watched program killed by a signal while its watch held a dump left the whole dump (~140 MB) in
/// <c>/dev/shm</c> (six of six runs in review 46): .NET 10 ends a process on a signal's default action without raising
/// <c>ProcessExit</c>, where the watch deleted it. The dump now has no name while it exists; and a watch that starts
/// deletes the named dumps of ended processes. (Same class as the other watch tests: one watch per process.)</summary>
public sealed partial class PlainLockWatchTests
{
    [Theory]
    [InlineData("-TERM")]
    [InlineData("-KILL")]
    public async Task ASignalDuringADiagnosis_LeavesNoDumpBehind(string signal)
    {
        using var dumps = new TempDirectory();
        using var hold = new TempDirectory();

        // Review 65: the watch holds its analysis, once the dump is written, until the file "release" exists (a test-only
        // hook, PlainLockWatch.HoldAnalysisVariable): on a quiet machine the analysis ended before the signal came (6 of 8
        // cases), and the test showed nothing.
        await using var child = await ChildProcess.StartAsync(ChildProcess.CliDll,
            ["doctor-demo-child", "--watch", "--no-warm-up", "--threshold-ms", "300", "--dump-directory", dumps.Path],
            environment: new() { [PlainLockWatch.HoldAnalysisVariable] = hold.Path });

        // The deadlock forms at "ready" and the watch dumps the program 300 ms later; the dump written, the watch says so
        // (the file "held") and waits: the signal comes while the watch holds the dump, whatever the machine's speed.
        var held = Path.Combine(hold.Path, "held");
        var deadline = DateTime.UtcNow + ChildProcess.Failsafe;
        while (!File.Exists(held) && !child.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(File.Exists(held), $"no dump was written:\n{child.Output}");

        // brigade's CLI takes a first SIGTERM as a request to stop (the demo child does not stop on it); a later one is
        // left to its default action, as in a program that handles none. Sent until the program is gone: the condition,
        // not a time.
        try
        {
            while (!child.HasExited && DateTime.UtcNow < deadline)
            {
                Signal(signal, child.Id);
                await Task.Delay(100);
            }
        }
        finally
        {
            // Only a program the signal did not end is still there to read it: its watch goes on.
            await File.WriteAllTextAsync(Path.Combine(hold.Path, "release"), "");
        }

        Assert.True(child.HasExited, $"the program did not end on {signal}:\n{child.Output}");
        Assert.True(!child.Output.Contains("end of report", StringComparison.Ordinal), $"the diagnosis ended before the signal (the test shows nothing then):\n{child.Output}");

        // The dump was written (createdump ended) before the watch said "held": nothing else holds it now.
        var left = Directory.EnumerateFileSystemEntries(dumps.Path, "*", SearchOption.AllDirectories).ToList();
        Assert.True(left.Count == 0, $"left behind: {string.Join(", ", left)}");
    }

    [Fact]
    public void AWatchStarting_DeletesTheDumpsOfEndedProcesses_AndKeepsTheOthers()
    {
        using var root = new TempDirectory();
        var ended = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture) + 1;
        string Dump(int pid, TimeSpan age)
        {
            var directory = Path.Combine(root.Path, $"brigade-doctor-{pid}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            var file = Path.Combine(directory, $"core.{pid}.dmp");
            File.WriteAllBytes(file, new byte[4096]);
            File.SetLastWriteTimeUtc(file, DateTime.UtcNow - age);
            Directory.SetLastWriteTimeUtc(directory, DateTime.UtcNow - age);
            return directory;
        }

        var stale = Dump(ended, TimeSpan.FromHours(1));
        var fresh = Dump(ended, TimeSpan.Zero);
        var alive = Dump(Environment.ProcessId, TimeSpan.FromHours(1));
        var other = Path.Combine(root.Path, "brigade-doctor-notes");
        Directory.CreateDirectory(other);

        using (var watch = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromHours(1), WarmUp = false, DumpDirectory = root.Path }))
        {
            Assert.True(SpinWait.SpinUntil(() => watch.IsWarm, TimeSpan.FromSeconds(30)));
        }

        Assert.False(Directory.Exists(stale), "the dump of an ended process, an hour old, was kept");
        Assert.True(Directory.Exists(fresh), "a dump written just now was deleted (a brigade doctor may still read it)");
        Assert.True(Directory.Exists(alive), "the dump of a live process was deleted");
        Assert.True(Directory.Exists(other));
        Assert.Equal(0, DumpCapture.SweepStale([root.Path], TimeSpan.FromSeconds(10)));
    }

    private static void Signal(string signal, int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"{signal} {processId}") { UseShellExecute = false, RedirectStandardError = true })!;
        kill.WaitForExit();
    }
}
