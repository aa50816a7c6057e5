using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

/// <summary>The programs the tests diagnose run with 1 MB thread stacks (<see cref="SmallChildStacks"/>), so their dumps
/// hold no megabytes of never-touched stack.</summary>
public sealed class SmallChildStacksTests
{
    [Fact]
    public async Task ACorpusProgramsWritableMemory_IsNotEightMegabytesAThread()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // abba-lock has 9 threads: with glibc's 8 MB stacks its writable mappings were ~83 MB (an 85 MB dump), with
        // 1 MB stacks ~20 MB. The bound sits between the two, far from both.
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["abba-lock"]);

        var writable = TargetProcess.Read(child.Id).WritableMappingBytes();

        Assert.NotNull(writable);
        Assert.True(writable < 48L << 20, $"writable mappings of the corpus program: {writable:N0} bytes");
        Assert.Contains($"Max stack size            {SmallChildStacks.StackBytes}", await File.ReadAllTextAsync($"/proc/{child.Id}/limits"), StringComparison.Ordinal);
    }
}
