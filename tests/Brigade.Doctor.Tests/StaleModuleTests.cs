using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Brigade.Doctor.Tests;

/// <summary>A dump analysed after its program's module was rebuilt: the IL on disk is not the code the dump ran, so
/// awaits are left unmapped, no slot is attributed from it, and the report says so once.</summary>
public sealed class StaleModuleTests
{
    [Fact]
    public async Task ModuleRebuiltSinceTheDump_AwaitsUnmapped_NoAsyncClaim_AndOneNote()
    {
        using var temp = new TempDirectory();
        foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "Brigade.Doctor.Corpus.*"))
        {
            File.Copy(file, Path.Combine(temp.Path, Path.GetFileName(file)));
        }

        var dll = Path.Combine(temp.Path, "Brigade.Doctor.Corpus.dll");
        var dump = Path.Combine(temp.Path, "core.dmp");
        Diagnosis fresh;
        await using (var child = await ChildProcess.StartAsync(dll, ["async-lock-order-deadlock"]))
        {
            fresh = await Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = CorpusFixture.DumpDirectory, KeepDumpPath = dump });
        }

        Assert.Equal(["BRG1001"], fresh.Reports.Select(r => r.Code));
        Assert.Empty(fresh.Notes);

        // "Rebuild": another MVID in the module's file.
        ChangeMvid(dll);
        var stale = Doctor.AnalyzeDump(dump);
        var text = stale.ToString();
        Assert.True(stale.Reports.Count == 0, text);
        Assert.Equal("Awaits left unmapped in Brigade.Doctor.Corpus.dll: the file on disk is not the build the dump ran (another MVID); no slot is attributed from its code.", Assert.Single(stale.Notes));
        Assert.DoesNotContain("suspended at await #2:", text, StringComparison.Ordinal);
        Assert.Contains("\"notes\"", stale.ToJson(), StringComparison.Ordinal);
    }

    private static void ChangeMvid(string path)
    {
        long at;
        using (var pe = new PEReader(File.OpenRead(path)))
        {
            var md = pe.GetMetadataReader();
            var index = MetadataTokens.GetHeapOffset(md.GetModuleDefinition().Mvid);
            at = pe.PEHeaders.MetadataStartOffset + md.GetHeapMetadataOffset(HeapIndex.Guid) + ((index - 1) * 16);
        }

        using var file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = at;
        var b = file.ReadByte();
        file.Position = at;
        file.WriteByte((byte)(b ^ 0xFF));
    }
}
