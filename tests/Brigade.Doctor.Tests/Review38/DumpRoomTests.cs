using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Review38;

/// <summary>
/// A dump "with heap" holds every thread's whole stack mapping, touched or not: a process with 250 threads and 35 MB
/// resident wrote a 2.2 GB dump. The room asked of <c>/dev/shm</c> was four times the resident memory (140 MB), so such a
/// dump could fill a small <c>/dev/shm</c> (RAM) and fail. The room now counts the writable mappings.
/// </summary>
public sealed class DumpRoomTests
{
    [Fact]
    public void EstimatedDumpBytes_CountsEveryThreadsStackMapping()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        const int Threads = 64;
        const int StackBytes = 32 << 20;
        using var release = new ManualResetEventSlim();
        using var started = new CountdownEvent(Threads);
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() => { started.Signal(); release.Wait(); }, StackBytes) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        try
        {
            started.Wait();
            var me = TargetProcess.Read(Environment.ProcessId);
            var resident = me.ResidentBytes!.Value;

            var writable = me.WritableMappingBytes();

            Assert.NotNull(writable);
            Assert.True(writable >= (long)Threads * StackBytes, $"writable mappings {writable:N0} bytes, {Threads} stacks of {StackBytes:N0}");
            Assert.True(DumpCapture.EstimatedDumpBytes(me, resident) >= (long)Threads * StackBytes);
            Assert.True(DumpCapture.EstimatedDumpBytes(me, resident) >= 4 * resident);
        }
        finally
        {
            release.Set();
            threads.ForEach(t => t.Join());
        }
    }
}
