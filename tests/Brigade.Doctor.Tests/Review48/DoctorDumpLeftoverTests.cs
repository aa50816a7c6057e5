using System.Globalization;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Review48;

/// <summary>Review 48 (left by review 47): <c>brigade doctor --pid</c> wrote a named dump (~100 MB in <c>/dev/shm</c>) that a
/// signal during the analysis left behind, and only the live watch swept such leftovers when it started. The dump of a
/// process of the same user now has no name while it exists, and every diagnosis of a process sweeps first.</summary>
public sealed class DoctorDumpLeftoverTests
{
    [Fact]
    public async Task ADumpOfAProcessOfTheSameUser_HasNoName_AndADiagnosisSweepsTheDumpsOfEndedProcesses()
    {
        using var root = new TempDirectory();
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-idle"]);

        // While the dump exists (here: captured, not yet analyzed), nothing of it is in the directory: a brigade doctor
        // killed now leaves nothing.
        var (path, directory, file) = await DumpCapture.CaptureAsync(child.Id, new DoctorOptions { DumpDirectory = root.Path }, CancellationToken.None);
        try
        {
            Assert.NotNull(file);
            Assert.StartsWith($"/proc/{Environment.ProcessId}/fd/", path, StringComparison.Ordinal);
            Assert.False(Directory.Exists(directory), $"the dump's directory {directory} exists");
            Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path));
            Assert.True(RandomAccess.GetLength(file) > 0, "the dump is empty");
        }
        finally
        {
            file?.Dispose();
            DumpCapture.TryDelete(directory);
        }

        // What a brigade doctor killed while it held a named dump (--keep-dump's, root's of another user's process) left.
        var ended = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture) + 1;
        var stale = Path.Combine(root.Path, $"brigade-doctor-{ended}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(stale);
        var core = Path.Combine(stale, $"core.{ended}.dmp");
        File.WriteAllBytes(core, new byte[4096]);
        File.SetLastWriteTimeUtc(core, DateTime.UtcNow.AddHours(-1));
        Directory.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-1));

        // The analysis reads the dump through the descriptor: the diagnosis is whole.
        var diagnosis = await Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = root.Path });
        Assert.Contains(diagnosis.Threads, t => t.Frames.Count > 0);
        Assert.Null(diagnosis.DumpPath);
        Assert.False(Directory.Exists(stale), "the dump an ended process left an hour ago was kept");
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path));
    }
}
