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
            File.WriteAllBytes(path, [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0]);
            DumpFile.Validate(path);
        }
        finally
        {
            File.Delete(path);
        }
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
