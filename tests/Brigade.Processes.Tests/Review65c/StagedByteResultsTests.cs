using Brigade.Processes.Tests.Review65;
using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review65c;

/// <summary>
/// Review 65c: a large <c>byte[]</c> result sent to the pipe straight from the work's array cost the worker more CPU than
/// copying it into the values' buffer (20 × 10 MB results: 56-76 against 42-44 ms per result), all of it the kernel's copy
/// into the pipe from pages the process had just faulted in. It now goes through the channel's small kept buffer, a piece
/// at a time (25-29 ms per result), and so by reference is on by default: no buffer the size of the result is kept.
/// </summary>
public sealed class StagedByteResultsTests
{
    [Fact]
    public void ALargeByteArrayResult_GoesThroughOneKeptStagingBuffer_InPieces_ByDefault()
    {
        // Item 1 twice: 1 MiB each, from the work's own array.
        var (writes, values, retained) = WorkerResults.Run<SharedBytes, int, byte[]>([1, 2, 1]);

        Assert.Equal(SharedBytes.Large, values[0]);
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1]);
        Assert.Equal(SharedBytes.Large, values[2]);

        // No write carries the whole result (neither from the work's array nor from a values' buffer it was copied into),
        // and every large piece came from one and the same buffer, kept between results (its pages stay warm).
        Assert.All(writes, w => Assert.InRange(w.Length, 0, WorkerChannel.StageBytes));
        var staged = writes.Where(w => w.Length > WorkerChannel.StageBytes / 4).ToList();
        Assert.Equal(2 * SharedBytes.Large.Length, staged.Sum(w => w.Length));
        var stage = Assert.Single(staged.Select(w => w.Array).Distinct());
        Assert.NotNull(stage);
        Assert.NotSame(SharedBytes.Large, stage);
        Assert.Equal(WorkerChannel.StageBytes, stage!.Length);

        // Nothing the size of the result is kept for the next chunks.
        Assert.InRange(retained, 0, SharedBytes.Large.Length / 2);
    }

    [Fact]
    public void ALargeMemoryResult_GoesThroughTheStagingBuffer_AndArrivesWhole()
    {
        var (writes, values, _) = WorkerResults.Run<SharedMemory, int, ReadOnlyMemory<byte>>([3, 1, 3]);

        Assert.All(writes, w => Assert.InRange(w.Length, 0, WorkerChannel.StageBytes));
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[0].ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1].ToArray());
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[2].ToArray());
    }

    [Fact]
    public void ByReference_IsOnByDefault()
    {
        using var executor = new BatchExecutor(WorkDescriptor.For(typeof(SharedBytes)));
        Assert.True(executor.ReferencesLargeResults);
    }
}
