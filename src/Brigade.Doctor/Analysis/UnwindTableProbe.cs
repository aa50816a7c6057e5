using System.Buffers.Binary;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Says whether a core file holds the runtime's native unwind tables (the <c>PT_GNU_EH_FRAME</c> segment of
/// <c>libcoreclr.so</c>), which the runtime's data-access library needs to walk a stack out of native code. A core
/// file written without file-backed private mappings (<c>gcore</c> or the kernel with the default
/// <c>/proc/PID/coredump_filter</c> 0x33) has only the first page of each library: a thread blocked in the runtime or
/// in a system call then shows no managed frame, and only a thread caught running managed code (a CPU loop) unwinds.
/// The runtime's own dumps (createdump: <c>--keep-dump</c>, <c>dotnet-dump collect</c>) always add these tables.
/// </summary>
internal static class UnwindTableProbe
{
    private const uint ProgramHeaderLoad = 1;
    private const uint ProgramHeaderEhFrame = 0x6474E550;
    private const int ElfHeaderSize = 64;
    private const int ProgramHeaderSize = 56;

    /// <summary>True when the dump holds the runtime module's unwind tables, false when it lacks them, null when the
    /// module's ELF headers cannot be read from the dump (not an ELF runtime, a damaged dump: no verdict).</summary>
    public static bool? RuntimeUnwindTablesInDump(ClrRuntime runtime)
    {
        // Read from the dump itself (DataReader), not through the data-access library, which falls back on files on disk.
        var reader = runtime.DataTarget.DataReader;
        var imageBase = runtime.ClrInfo.ModuleInfo.ImageBase;
        Span<byte> header = stackalloc byte[ElfHeaderSize];
        if (imageBase == 0 || reader.Read(imageBase, header) != ElfHeaderSize || !header[..4].SequenceEqual("\u007FELF"u8)
            || header[4] != 2 || header[5] != 1)
        {
            return null;
        }

        var tableOffset = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
        if (entrySize < ProgramHeaderSize || count is 0 or > 256)
        {
            return null;
        }

        var table = new byte[entrySize * count];
        if (reader.Read(imageBase + tableOffset, table) != table.Length)
        {
            return null;
        }

        ulong? firstLoad = null;
        ulong ehFrame = 0, ehFrameSize = 0;
        for (var i = 0; i < count; i++)
        {
            var entry = table.AsSpan(i * entrySize, entrySize);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            var address = BinaryPrimitives.ReadUInt64LittleEndian(entry[16..]);
            var size = BinaryPrimitives.ReadUInt64LittleEndian(entry[40..]);
            if (type == ProgramHeaderLoad)
            {
                firstLoad = Math.Min(firstLoad ?? ulong.MaxValue, address);
            }
            else if (type == ProgramHeaderEhFrame)
            {
                (ehFrame, ehFrameSize) = (address, size);
            }
        }

        if (firstLoad is not { } lowest || ehFrameSize == 0)
        {
            return null;
        }

        // The module is mapped at imageBase from its lowest segment's page (0 for a shared library).
        var bias = imageBase - (lowest & ~0xFFFUL);
        Span<byte> one = stackalloc byte[1];
        return reader.Read(bias + ehFrame, one) == 1 && reader.Read(bias + ehFrame + ehFrameSize - 1, one) == 1;
    }
}
