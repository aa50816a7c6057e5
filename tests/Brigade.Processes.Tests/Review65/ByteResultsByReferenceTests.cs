using Brigade.Processes.Worker;

namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// Review 65: a worker copied a large <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c> result into its values' buffer before
/// writing it to the pipe (a 10 MB copy per result, and a buffer of that size kept while large results kept coming). The
/// result goes to the pipe from its own memory (<c>BatchExecutor.ReferencesLargeResults</c>), through the channel's small kept
/// staging buffer since review 65c (Review65c/StagedByteResultsTests); smaller ones (under 64 KiB) still ride in the frame.
/// </summary>
public sealed class ByteResultsByReferenceTests
{
    [Fact]
    public void ALargeByteArrayResult_IsWrittenFromItsOwnArray_AndArrivesWhole()
    {
        var (writes, values, retained) = WorkerResults.Run<SharedBytes, int, byte[]>([1, 2], referencesLargeResults: true);

        Assert.DoesNotContain(writes, w => w.Length > WorkerChannel.StageBytes);
        Assert.Equal(SharedBytes.Large, values[0]);
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1]);

        // Nothing the size of the result is kept for the next chunks.
        Assert.InRange(retained, 0, SharedBytes.Large.Length / 2);
    }

    [Fact]
    public void ALargeMemoryResult_IsWrittenFromItsOwnMemory_AndArrivesWhole()
    {
        var (writes, values, _) = WorkerResults.Run<SharedMemory, int, ReadOnlyMemory<byte>>([3, 1, 3], referencesLargeResults: true);

        Assert.DoesNotContain(writes, w => w.Length > WorkerChannel.StageBytes);
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[0].ToArray());
        Assert.Equal(new byte[] { 1, 2, 3 }, values[1].ToArray());
        Assert.Equal(SharedBytes.Large.AsSpan(100).ToArray(), values[2].ToArray());
    }
}

/// <summary>Item 1: a 1 MB array held by the work (the same array every time); otherwise three bytes.</summary>
public sealed class SharedBytes : IWork<int, byte[]>
{
    internal static readonly byte[] Large = RawBytesPattern(1024 * 1024);

    /// <inheritdoc/>
    public byte[] Execute(int input) => input == 1 ? Large : [1, 2, 3];

    private static byte[] RawBytesPattern(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)((i * 7) + 1);
        }

        return bytes;
    }
}

/// <summary>Item 3: most of <see cref="SharedBytes.Large"/>, as memory; otherwise three bytes.</summary>
public sealed class SharedMemory : IWork<int, ReadOnlyMemory<byte>>
{
    /// <inheritdoc/>
    public ReadOnlyMemory<byte> Execute(int input) => input == 3 ? SharedBytes.Large.AsMemory(100) : new byte[] { 1, 2, 3 };
}
