using System.Collections.Concurrent;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Review57;

/// <summary>Review 57: <c>brigade doctor --pid</c> writes the core file itself when it may ptrace the target (the test host
/// may ptrace its children), instead of the runtime's createdump (~0.4 s of CPU a dump whatever its size); when ptrace is
/// refused it takes the dump the runtime's way, as before. Either way the diagnosis is the same.</summary>
public sealed class PtraceCoreRouteTests
{
    /// <summary>The report without its first line (which says how long the dump and the analysis took).</summary>
    private static string Findings(Diagnosis diagnosis) => string.Join('\n', diagnosis.ToString().Split('\n').Skip(1));

    private static async Task<(Diagnosis Diagnosis, string Route)> DiagnoseAsync(int processId, bool forceRuntime = false, PtraceCore.Seams? seams = null)
    {
        var routes = new ConcurrentQueue<string>();
        DumpCapture.RouteForTests.Value = routes;
        DumpCapture.ForceRuntimeDumpForTests.Value = forceRuntime;
        DumpCapture.PtraceSeamsForTests.Value = seams;
        try
        {
            var diagnosis = await Doctor.DiagnoseProcessAsync(processId, new DoctorOptions { DumpDirectory = CorpusFixture.DumpDirectory, DumpTimeout = TimeSpan.FromSeconds(120) });
            return (diagnosis, string.Join(",", routes));
        }
        finally
        {
            DumpCapture.RouteForTests.Value = null;
            DumpCapture.ForceRuntimeDumpForTests.Value = false;
            DumpCapture.PtraceSeamsForTests.Value = null;
        }
    }

    [Theory]
    [InlineData("lock-type-abba")]
    [InlineData("getresult-on-pool")]
    [InlineData("async-tcs-never-completed")]
    public async Task AChildIsDumpedThroughPtrace_AndDiagnosedAsTheRuntimesDumpIs(string scenario)
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, [scenario]);

        var (here, route) = await DiagnoseAsync(child.Id);
        Assert.Equal("ptrace", route);
        Assert.False(child.HasExited, "the child reads as ended after its ptrace dump (its main thread's stop taken for an exit?)");
        Assert.Contains(here.Threads, t => t.Frames.Count > 0);

        var (runtime, runtimeRoute) = await DiagnoseAsync(child.Id, forceRuntime: true);
        Assert.Equal("runtime", runtimeRoute);
        Assert.Equal(Findings(runtime), Findings(here));
        Assert.False(child.HasExited);
    }

    [Fact]
    public async Task WhenPtraceIsRefused_TheRuntimeDumpsIt_AndTheDiagnosisIsTheSame()
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["lock-type-abba"]);

        var (refused, route) = await DiagnoseAsync(child.Id, seams: new PtraceCore.Seams { RefuseSeize = true });
        Assert.Equal("runtime", route);
        Assert.Empty(refused.Notes);

        var (here, hereRoute) = await DiagnoseAsync(child.Id);
        Assert.Equal("ptrace", hereRoute);
        Assert.Equal(Findings(here), Findings(refused));
    }
}
