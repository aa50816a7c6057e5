using System.IO.Pipes;

namespace Brigade.Cli.Tests;

/// <summary>
/// Review 23 S1: brigade run's stdout and stderr share one lock when they are one open file (<c>2&gt;&amp;1</c> into a
/// pipe, a terminal, <c>&amp;&gt; log</c>), told by its device and inode.
/// </summary>
public sealed class StandardStreamsTests
{
    [Fact]
    public void BothEndsOfOnePipe_AreOneFile_TwoPipesAreNot()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // a file's identity is read on Linux and macOS only
        }

        using var first = new AnonymousPipeServerStream(PipeDirection.Out);
        using var second = new AnonymousPipeServerStream(PipeDirection.Out);
        var write = (int)first.SafePipeHandle.DangerousGetHandle();
        var read = (int)first.ClientSafePipeHandle.DangerousGetHandle();
        var other = (int)second.SafePipeHandle.DangerousGetHandle();

        Assert.True(StandardStreams.SameFile(write, read));
        Assert.True(StandardStreams.SameFile(write, write));
        Assert.False(StandardStreams.SameFile(write, other));
    }

    [Fact]
    public void AFileOpenedTwice_IsOneFile_AClosedDescriptorIsNone()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return; // a file's identity is read on Linux and macOS only
        }

        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("a"), "");
        File.WriteAllText(dir.File("b"), "");
        using var a1 = File.OpenHandle(dir.File("a"), FileMode.Open, FileAccess.Write);
        using var a2 = File.OpenHandle(dir.File("a"), FileMode.Open, FileAccess.Write);
        using var b = File.OpenHandle(dir.File("b"), FileMode.Open, FileAccess.Write);

        Assert.True(StandardStreams.SameFile((int)a1.DangerousGetHandle(), (int)a2.DangerousGetHandle()));
        Assert.False(StandardStreams.SameFile((int)a1.DangerousGetHandle(), (int)b.DangerousGetHandle()));
        Assert.False(StandardStreams.SameFile((int)a1.DangerousGetHandle(), 1_000_000));
    }
}
