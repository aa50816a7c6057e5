using System.Diagnostics;

namespace Brigade.Doctor.Tests;

/// <summary>
/// <c>brigade doctor --dump</c> as a user runs it: a kept dump, gcore's core files, dumps it cannot read. A class of its own
/// (its own test collection), so that these runs overlap the other classes' tests instead of queueing behind
/// <see cref="DoctorCliTests"/>'s. The command runs in this host (<see cref="Cli.InProcessAsync"/>): what these tests check
/// is what doctor says of each dump and its exit code, not the process around it.
/// </summary>
public sealed class DoctorDumpCliTests
{
    [Fact]
    public async Task KeepDump_ThenDump_FindsTheSameCycle_AndADumpOfAnotherRuntimeBuildSaysWhichDacItNeeds()
    {
        using var temp = new TempDirectory();
        var kept = Path.Combine(temp.Path, "abba.dmp");
        await using (var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["lock-type-abba"]))
        {
            var (keepCode, keepOut, keepErr) = await Cli.InProcessAsync("doctor", "--pid", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--keep-dump", kept);
            Assert.True(keepCode == 3, keepErr);
            Assert.Contains($"Dump kept at {kept}", keepOut, StringComparison.Ordinal);
        }

        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "--dump", kept);
        Assert.True(code == 3, stderr);
        Assert.Contains("thread 'orders'", stdout, StringComparison.Ordinal);
        Assert.Contains("thread 'stock'", stdout, StringComparison.Ordinal);

        // The same dump as if taken from another build of the runtime: its libcoreclr.so build id matches none installed here.
        var other = Path.Combine(temp.Path, "other-runtime.dmp");
        DumpPatcher.ChangeCoreClrBuildId(kept, other);
        var (mismatch, _, error) = await Cli.InProcessAsync("doctor", "--dump", other);
        Assert.Equal(2, mismatch);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("this dump comes from .NET 10.0", error, StringComparison.Ordinal);
        Assert.Contains("libmscordaccore.so", error, StringComparison.Ordinal);
        Assert.Contains("--dac", error, StringComparison.Ordinal);

        // The same dump cut short (a copy interrupted): one line, exit 2, no stack trace.
        var truncated = Path.Combine(temp.Path, "truncated.dmp");
        await using (var source = File.OpenRead(kept))
        await using (var copy = File.Create(truncated))
        {
            var half = new byte[source.Length / 2];
            source.ReadExactly(half);
            copy.Write(half);
        }

        var (cut, cutOut, cutErr) = await Cli.InProcessAsync("doctor", "--dump", truncated);
        Assert.True(cut == 2, $"exit {cut}: {cutErr}");
        Assert.Equal("", cutOut);
        Assert.Single(cutErr.Trim().Split('\n'));
        Assert.Contains("is truncated", cutErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DumpOfACoreFileFromGcore_WithNoReadableStack_SaysSoInOneLineAndExits2()
    {
        using var temp = new TempDirectory();
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-idle"], environment: SmallCore);
        var core = await GcoreAsync(child.Id, "0x33", Path.Combine(temp.Path, "core")); // the kernel's default: no file-backed private mappings

        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "--dump", core);

        // It said "No pitfall found" with no frames: a wrong all-clear.
        Assert.True(code == 2, $"exit {code}: {stderr}\n{stdout}");
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("has the .NET runtime but no readable thread stack", stderr, StringComparison.Ordinal);
        Assert.Contains("echo 0x3f > /proc/PID/coredump_filter", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DumpOfACoreFileFromGcore_WhereOnlySpinningThreadsUnwind_IsRefusedAt0x33_AndReadAt0x3f()
    {
        using var temp = new TempDirectory();
        // Without the libraries' file-backed memory only a thread caught running managed code unwinds (the spinners);
        // Main, the pool and every blocked thread show no frame. Two threads with frames passed for a readable dump, and
        // doctor said "No pitfall found" having seen none of the others.
        // The spinners are needed while gcore takes the two cores, not after: ended before the cores are read, they no longer
        // burn two threads' share of the cores while doctor reads them (at load, most of this test's wall).
        string partial, whole;
        await using (var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-cpu-loop"], environment: SmallCore))
        {
            partial = await GcoreAsync(child.Id, "0x33", Path.Combine(temp.Path, "partial"));
            whole = await GcoreAsync(child.Id, "0x3f", Path.Combine(temp.Path, "whole"));
        }

        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "--dump", partial);

        Assert.True(code == 2, $"exit {code}: {stderr}\n{stdout}");
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        // Usually a spinner is in jitted code when gcore stops it, and its stack unwinds ("only N of M threads"); when
        // neither is, no thread has a frame: the same refusal in the other wording.
        Assert.True(stderr.Contains("has the .NET runtime but not its native unwind tables: only ", StringComparison.Ordinal) ||
            stderr.Contains("has the .NET runtime but no readable thread stack", StringComparison.Ordinal), stderr);
        Assert.Contains("without the file-backed memory of the runtime's libraries", stderr, StringComparison.Ordinal);
        Assert.Contains("echo 0x3f > /proc/PID/coredump_filter", stderr, StringComparison.Ordinal);

        // The same process with the libraries' memory in the core: read, every thread, no pitfall.
        var (wholeCode, wholeOut, wholeErr) = await Cli.InProcessAsync("doctor", "--dump", whole);
        Assert.True(wholeCode == 0, $"exit {wholeCode}: {wholeErr}\n{wholeOut}");
        Assert.Contains("No pitfall found", wholeOut, StringComparison.Ordinal);
    }

    // A small process makes a small core file: one malloc arena, a 64 MB GC heap.
    private static Dictionary<string, string> SmallCore => new() { ["MALLOC_ARENA_MAX"] = "1", ["DOTNET_GCHeapHardLimit"] = "0x4000000" };

    /// <summary>Writes <paramref name="filter"/> to the process's coredump_filter, runs gcore, returns the core file's path.</summary>
    private static async Task<string> GcoreAsync(int processId, string filter, string prefix)
    {
        if (!File.Exists("/usr/bin/gcore"))
        {
            Assert.Fail("gcore is not installed (apt-get install gdb; test.sh installs it)");
        }

        await File.WriteAllTextAsync($"/proc/{processId}/coredump_filter", filter);
        using var gcore = Process.Start(new ProcessStartInfo("gcore", $"-o {prefix} {processId}") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = gcore.StandardOutput.ReadToEndAsync();
        var error = gcore.StandardError.ReadToEndAsync();
        await gcore.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(gcore.ExitCode == 0, await error + await output);
        return $"{prefix}.{processId}";
    }
}
