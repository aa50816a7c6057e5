using Brigade.Auto;

namespace Brigade.Tests.Review66Lead;

// Review 66 (the review of advise66): the memory worker processes may take was the runtime's total (physical memory or a
// container's limit) bounded by the host's MemAvailable: a 2 GB container with 1.8 GB already in use "afforded" 21 workers
// of 48 MB on a host with 20 GB free, and without /proc (Windows, macOS) all of physical memory counted as free.
public sealed class AvailableMemoryTests
{
    private const long Mb = 1024L * 1024;

    [Fact]
    public void Container_NearlyFull_AffordsWhatIsLeftInIt()
    {
        Assert.Equal(200 * Mb, AutoWorkerProcesses.AvailableBytes(total: 2048 * Mb, load: 1848 * Mb, memAvailable: 20_480 * Mb));
        Assert.Equal(2, AutoWorkerProcesses.Affordable(AutoWorkerProcesses.AvailableBytes(2048 * Mb, 1848 * Mb, 20_480 * Mb), 48 * Mb));
    }

    [Fact]
    public void NoProcFileSystem_TotalLessLoad()
        => Assert.Equal(6 * 1024 * Mb, AutoWorkerProcesses.AvailableBytes(total: 16 * 1024 * Mb, load: 10 * 1024 * Mb, memAvailable: 0));

    [Fact]
    public void BeforeAnyCollection_TheTotalBoundedByMemAvailable()
        => Assert.Equal(3 * 1024 * Mb, AutoWorkerProcesses.AvailableBytes(total: 16 * 1024 * Mb, load: 0, memAvailable: 3 * 1024 * Mb));

    [Fact]
    public void NothingKnown_Zero() => Assert.Equal(0, AutoWorkerProcesses.AvailableBytes(0, 0, 0));
}
