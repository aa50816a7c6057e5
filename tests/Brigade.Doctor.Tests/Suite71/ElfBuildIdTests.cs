using System.Buffers.Binary;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Suite71;

/// <summary>Suite 71: the build id of a libcoreclr.so is read from its headers and notes, not from the whole file read
/// into memory (7 MB per diagnosis before).</summary>
public sealed class ElfBuildIdTests
{
    [Fact]
    public void Read_FileLargerThanAnArray_ReadsTheBuildIdFromItsNotes()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "libcoreclr.so");
        byte[] id = [.. Enumerable.Range(1, 20).Select(i => (byte)i)];
        var bytes = new byte[120 + 36];
        "\u007fELF"u8.CopyTo(bytes);
        bytes[4] = 2;   // 64-bit
        bytes[5] = 1;   // little-endian
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(32), 64);     // program headers at 64
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(54), 56);     // of 56 bytes
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(56), 1);      // one
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(64), 4);      // PT_NOTE
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(64 + 8), 120);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(64 + 32), 36);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(120), 4);     // name "GNU\0"
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(124), 20);    // the id's 20 bytes
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(128), 3);     // NT_GNU_BUILD_ID
        "GNU\0"u8.CopyTo(bytes.AsSpan(132));
        id.CopyTo(bytes.AsSpan(136));
        using (var file = File.Create(path))
        {
            file.Write(bytes);
            file.SetLength(3L << 30);   // sparse: 3 GB that take no room
        }

        Assert.Equal(id, ElfBuildId.Read(path));
    }

    [Fact]
    public void Read_ThisRuntimesCoreClr_IsItsGnuBuildId()
    {
        var coreclr = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "libcoreclr.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(coreclr))
        {
            return;
        }

        var id = ElfBuildId.Read(coreclr);

        Assert.NotNull(id);
        Assert.Equal(20, id!.Length);
    }
}
