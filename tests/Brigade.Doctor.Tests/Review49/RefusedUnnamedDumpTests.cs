using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Review49;

/// <summary>Review 49: <c>brigade doctor --pid</c> dumps a process of the same user into a file with no name, written by
/// the target's <c>createdump</c> through <c>/proc/THIS/fd/N</c>. When that is refused at run time although the check
/// allowed it (a security module, a <c>hidepid</c> <c>/proc</c>, a descriptor it cannot open), the diagnosis failed; it
/// now takes a named dump instead (swept as any named dump), and its notes say so.</summary>
public sealed class RefusedUnnamedDumpTests
{
    [Fact]
    public async Task ARefusedUnnamedDump_FallsBackToANamedOne_AndTheDiagnosisSaysSo()
    {
        using var root = new TempDirectory();
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-idle"]);
        Assert.True(DumpCapture.CanWriteUnnamed(child.Id), "the check refuses the unnamed dump here: this test shows nothing");

        // Only this test's async flow: the unnamed dump is asked for at a path the target's createdump cannot open.
        DumpCapture.RefuseUnnamedForTests.Value = true;
        Diagnosis diagnosis;
        try
        {
            diagnosis = await Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = root.Path });
        }
        finally
        {
            DumpCapture.RefuseUnnamedForTests.Value = false;
        }

        Assert.Contains(diagnosis.Threads, t => t.Frames.Count > 0);
        var note = Assert.Single(diagnosis.Notes, n => n.Contains("with no name", StringComparison.Ordinal));
        Assert.Contains("was refused", note, StringComparison.Ordinal);
        Assert.Contains($"a named dump in {root.Path}", note, StringComparison.Ordinal);
        Assert.Contains("Note: the dump with no name", diagnosis.ToString(), StringComparison.Ordinal);

        // The named dump is gone with the diagnosis, as a named dump always was.
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path));
    }
}
