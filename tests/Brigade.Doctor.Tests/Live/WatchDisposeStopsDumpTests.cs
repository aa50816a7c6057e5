using System.Globalization;
using Brigade.Diagnostics;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

/// <summary>Review 52: a <c>Dispose</c> that stopped waiting for a diagnosis whose dump was still being written left that
/// dump to run on (to its end, or now to the dump's 30 s bound): its only step, deleting the dump's directory, does nothing
/// on Linux, where the directory is unlinked as soon as it is made. It now kills the watch's createdump. (Same class as
/// the other watch tests: one watch per process.)</summary>
public sealed partial class PlainLockWatchTests
{
    [Fact]
    public void Dispose_ThatStopsWaiting_StopsTheDumpBeingWritten()
    {
        using var directory = new TempDirectory();
        var pidFile = Path.Combine(directory.Path, "pid");

        // A createdump that hangs before it stops the process (it never attaches): the watch's bound on it is 30 s.
        var program = Path.Combine(directory.Path, "createdump");
        File.WriteAllText(program, $"#!/bin/sh\necho $$ > '{pidFile}.new' && mv '{pidFile}.new' '{pidFile}'\nexec sleep 600\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var diagnostics = new PitfallDiagnostics();
        using var abba = new Abba();
        PlainLockWatch watch;
        CreateDumpChild.ProgramForTests.Value = program;
        try
        {
            // The watch's thread inherits the seam (its ExecutionContext is captured when it starts).
            watch = PlainLockWatch.Start(new PlainLockWatchOptions
            {
                Threshold = TimeSpan.FromMilliseconds(100),
                WarmUp = false,
                Diagnostics = diagnostics,
                DumpDirectory = directory.Path,
                DisposeWait = TimeSpan.FromSeconds(1),
            });
        }
        finally
        {
            CreateDumpChild.ProgramForTests.Value = null;
        }

        int pid;
        try
        {
            abba.Form();
            Assert.True(SpinWait.SpinUntil(() => File.Exists(pidFile), Deadline), "the watch never started its createdump");
            pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
            watch.Dispose();
        }
        finally
        {
            watch.Dispose();
        }

        // Killed by Dispose, not 30 s later by the dump's bound: the limit is half that bound, and the kill is sent before
        // Dispose returns (what remains is the kernel ending it and the watch's thread returning).
        var gone = SpinWait.SpinUntil(() => Ended(pid) && !watch.IsRunningForTests, TimeSpan.FromSeconds(15));
        Assert.True(gone, $"the createdump (process {pid}) or the watch's thread still ran 15 s after Dispose");
        Assert.Contains("the dump was cut short", Assert.Single(diagnostics.Reports).Message, StringComparison.Ordinal);
    }

    /// <summary>Whether the process ended (gone, or a zombie not yet reaped).</summary>
    private static bool Ended(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }
}
