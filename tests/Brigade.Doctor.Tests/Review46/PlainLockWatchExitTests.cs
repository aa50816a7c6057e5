using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

/// <summary>Review 46: <c>PlainLockWatch</c> stopped by SIGTERM while it dumped left an empty
/// <c>/dev/shm/brigade-doctor-PID-*</c> directory (twice in four runs of review 45). The dump's directory was created
/// before the watch recorded it: a process exiting in between ran its exit handler, which deleted nothing, and ended
/// before the watch's thread could. (Same class as the other watch tests: one watch per process.)</summary>
public sealed partial class PlainLockWatchTests
{
    [Fact]
    public void ProcessExit_AsTheDumpDirectoryIsMade_LeavesNoDirectoryBehind()
    {
        using var root = new TempDirectory();
        using var watch = PlainLockWatch.Start(new PlainLockWatchOptions { Threshold = TimeSpan.FromHours(1), WarmUp = false }, _ => Empty());
        string? directory = null;
        var existedWhenTheProcessEnded = false;

        // The exit handler runs on another thread at the moment the capture hands the directory over (before: just after
        // creating it; now: before it is created, under the watch's lock); the process ends as soon as that handler
        // returns, so what exists then stays for good.
        var error = Record.Exception(() => DumpCapture.Capture(Environment.ProcessId, new DoctorOptions { DumpDirectory = root.Path }, (d, create) =>
        {
            directory = d;
            var exit = new Thread(() => watch.OnProcessExit(null, EventArgs.Empty));
            exit.Start();
            exit.Join();
            existedWhenTheProcessEnded = Directory.Exists(d);
            watch.DumpStarted(d, create);
        }));

        Assert.NotNull(directory);
        Assert.IsType<DoctorException>(error);
        Assert.False(existedWhenTheProcessEnded, $"{directory} existed when the exit handler returned");
        Assert.False(Directory.Exists(directory));
    }
}
