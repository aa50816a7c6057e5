using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review62Run;

/// <summary>
/// run62: which paths name a descriptor's file had two definitions. RunPaths let <c>/proc/PID/fd/N</c> through its check of
/// the kernel's file systems by its own pattern, while RunFiles knew only <c>/proc/self/fd/N</c> and <c>/dev/fd/N</c>: such a
/// path was then opened as a regular file and cut back to the journal's watermark (the file another descriptor holds, 3>> log),
/// and <c>/proc/PID/fd/1</c> with brigade's own pid was not its stdout. One definition serves both now.
/// </summary>
public sealed class DescriptorPathTests
{
    [Fact]
    public void ADescriptorsFileByPid_IsWrittenAtItsEnd_NotCutBack()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var file = Path.Combine(Path.GetTempPath(), $"run62-fd-{Guid.NewGuid():N}.log");
        try
        {
            File.WriteAllText(file, "kept\n");
            using var held = new FileStream(file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            var fd = (int)held.SafeFileHandle.DangerousGetHandle();
            var byPid = $"/proc/{Environment.ProcessId}/fd/{fd}";

            // Failed before: false and true (the file was opened anew and cut to the watermark, 0 on a fresh run).
            Assert.True(RunFiles.IsOtherDescriptor(byPid));
            Assert.False(RunFiles.CutsBack(byPid));
            Assert.True(RunFiles.IsOtherDescriptor($"/proc/self/fd/{fd}"));
            Assert.True(RunFiles.IsOtherDescriptor($"/dev/fd/{fd}"));

            using (var output = RunFiles.OpenOutput(byPid, "--output", keep: 0, out _))
            {
                output.Write(Encoding.UTF8.GetBytes("added\n"));
            }

            Assert.Equal("kept\nadded\n", File.ReadAllText(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void ThisProcesssStandardDescriptorsByPid_AreItsOwn()
    {
        var pid = Environment.ProcessId;

        // Failed before: null (only /proc/self/fd/N was known).
        Assert.Equal(1, RunFiles.StandardDescriptor($"/proc/{pid}/fd/1"));
        Assert.Equal(2, RunFiles.StandardDescriptor($"/proc/{pid}/fd/2"));
        Assert.Equal(0, RunFiles.StandardDescriptor($"/proc/{pid}/fd/0"));
        Assert.Equal(1, RunFiles.StandardDescriptor("/proc/self/fd/1"));
        Assert.Equal(1, RunFiles.StandardDescriptor("/dev/fd/1"));
        Assert.Equal(2, RunFiles.StandardDescriptor("/dev/stderr"));

        // Another process's stdout is not ours: a descriptor's file, written at its end.
        Assert.Null(RunFiles.StandardDescriptor($"/proc/{(pid == 1 ? 2 : 1)}/fd/1"));
        Assert.True(RunFiles.IsOtherDescriptor($"/proc/{(pid == 1 ? 2 : 1)}/fd/1"));

        // Not descriptors: the kernel's other files, and look-alikes.
        Assert.False(RunFiles.IsOtherDescriptor($"/proc/{pid}/status"));
        Assert.False(RunFiles.IsOtherDescriptor("/proc/self/fdinfo/1"));
        Assert.False(RunFiles.IsOtherDescriptor("/proc/self/fd/x"));
        Assert.False(RunFiles.IsOtherDescriptor("/tmp/fd/1"));
        Assert.Null(RunFiles.StandardDescriptor("/proc/self/fd/01x"));
    }
}
