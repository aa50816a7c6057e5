using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

public sealed class DumpFileTests
{
    [Theory]
    [InlineData(new byte[] { }, "is empty")]
    [InlineData(new byte[] { (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o' }, "is not a core dump")]
    [InlineData(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0 }, "an ELF file but not a core dump")]
    public void NotADump_IsRefusedWithWhatItIs(byte[] content, string expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, content);
            var e = Assert.Throws<DoctorException>(() => Doctor.AnalyzeDump(path));
            Assert.Equal(DoctorErrorKind.NotADump, e.Kind);
            Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ElfCoreHeader_IsAccepted()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, ElfCore(segmentOffset: 120, segmentSize: 8, fileLength: 128));
            DumpFile.Validate(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(4096, 8192, 120, "120 bytes of the 12,288")] // a segment past the end
    [InlineData(120, 8, 100, "100 bytes of the 120")]        // the program header table cut
    [InlineData(120, 8, 40, "40 bytes of the 64")]           // the ELF header cut
    public void TruncatedElfCore_IsRefusedAsIncomplete_WithHowMuchIsMissing(long segmentOffset, long segmentSize, int fileLength, string expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, ElfCore(segmentOffset, segmentSize, fileLength));
            var e = Assert.Throws<DoctorException>(() => Doctor.AnalyzeDump(path));
            Assert.Equal(DoctorErrorKind.IncompleteDump, e.Kind);
            Assert.Contains("is truncated: " + expected, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A 64-bit little-endian ELF core header with one program header (at 64) describing one segment.</summary>
    private static byte[] ElfCore(long segmentOffset, long segmentSize, int fileLength)
    {
        var bytes = new byte[Math.Max(fileLength, 120)];
        byte[] ident = [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1];
        ident.CopyTo(bytes, 0);
        bytes[16] = 4;                                                                  // e_type ET_CORE
        BitConverter.TryWriteBytes(bytes.AsSpan(0x20), 64L);                            // e_phoff
        BitConverter.TryWriteBytes(bytes.AsSpan(0x36), (ushort)56);                     // e_phentsize
        BitConverter.TryWriteBytes(bytes.AsSpan(0x38), (ushort)1);                      // e_phnum
        BitConverter.TryWriteBytes(bytes.AsSpan(64), 1);                                // p_type PT_LOAD
        BitConverter.TryWriteBytes(bytes.AsSpan(64 + 8), segmentOffset);                // p_offset
        BitConverter.TryWriteBytes(bytes.AsSpan(64 + 32), segmentSize);                 // p_filesz
        return bytes[..fileLength];
    }

    [Fact]
    public async Task NoSuchProcess_AndNotDotNet_AreDoctorExceptionsOfTheirKind()
    {
        var none = await Assert.ThrowsAsync<DoctorException>(() => Doctor.DiagnoseProcessAsync(int.MaxValue));
        Assert.Equal(DoctorErrorKind.NoSuchProcess, none.Kind);

        using var sleeper = System.Diagnostics.Process.Start("sleep", "30");
        try
        {
            var notDotNet = await Assert.ThrowsAsync<DoctorException>(() => Doctor.DiagnoseProcessAsync(sleeper.Id));
            Assert.Equal(DoctorErrorKind.NotDotNet, notDotNet.Kind);
            Assert.Contains("(sleep) is not a .NET process", notDotNet.Message, StringComparison.Ordinal);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public void Options_ValidateInTheirSetters()
    {
        Assert.Throws<ArgumentException>(() => new DoctorOptions { DumpDirectory = "/no/such/directory" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new DoctorOptions { MaxFramesPerThread = 0 });
    }
}
