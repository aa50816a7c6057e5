using System.Diagnostics;
using System.Text;

namespace Brigade.Cli.Tests.Review60Run;

/// <summary>
/// Run60: under a file size limit (<c>ulimit -f</c>, a CI runner's or a shared machine's), the write that crossed it
/// killed brigade with SIGXFSZ: exit 153, not a word, the summary and the <c>--resume</c> command never printed (the
/// journal, 8 MiB of it, cut mid-line). The .NET runtime leaves SIGXFSZ at its default; brigade now ignores it, so the
/// write fails (EFBIG) and the run stops as on a full disk: one line naming the path, the summary, the resume command, exit
/// 1; and <c>--resume</c> with room ends byte-identical. The commands still get SIGXFSZ at its default.
/// </summary>
public sealed class FileSizeLimitTests
{
    // .NET itself needs a limit of several MiB to start (its executable-memory double mapping is a file): 16,384 blocks,
    // 8 MiB in sh's 512-byte blocks (dash), 16 MiB in bash's 1,024-byte ones; the outputs below cross either. The runtime's
    // code stays out of files (DOTNET_EnableWriteXorExecute=0, as docs/run.md advises under such a limit): with it in one,
    // a run that compiled more code while it stopped aborted with "Out of memory." (exit 134; ci181, load 46) once that
    // file reached the limit: the runtime's limit, not brigade's handling of its own files, which is what this tests.
    private const int LimitBlocks = 16384;

    [Theory(Timeout = 180_000)]
    [InlineData(1_100_000, 20)] // results over 1 MiB are not copied into the journal: the output crosses the limit
    [InlineData(200_000, 100)]  // smaller ones are (as base64): the journal crosses it first
    public async Task OutputOverTheFileSizeLimit_StopsWithOneLine_AndResumesByteIdentical(int bytesPerItem, int items)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), string.Concat(Enumerable.Range(1, items).Select(i => $"{i}\n")));
        // The shell's own printf pads to the size (one process an item; `head -c N /dev/zero | tr '\0' a` until review 71
        // was three: ~390 process starts a run of this test).
        var command = $"printf '%0{bytesPerItem}d' 0; echo {{}}";

        var (code, err) = await RunAsync(dir, $"ulimit -f {LimitBlocks}; DOTNET_EnableWriteXorExecute=0 exec dotnet \"$@\"", command);

        Assert.True(code == 1, $"exit {code}: {err}");
        Assert.Contains("File too large", err, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("--resume", err, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("out.txt.journal")), err);

        // The resume, with room, in-process (CliRunner): no limit, no signal, nothing of a process's own is checked; the
        // same arguments as the stopped run's (absolute paths: the test host's directory is not the run's).
        (code, _, err) = await CliRunner.RunAsync([.. Args(dir, command), "--resume"]);

        Assert.True(code == 0, $"exit {code}: {err}");
        var expected = new StringBuilder();
        for (var i = 1; i <= items; i++)
        {
            expected.Append('0', bytesPerItem).Append(i).Append('\n');
        }

        Assert.True(expected.ToString() == await File.ReadAllTextAsync(dir.File("out.txt")), "the resumed output differs from an uninterrupted run's");
    }

    [Fact(Timeout = 120_000)]
    public async Task Commands_GetSigxfszAtItsDefault()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.txt"), "1\n");

        // At its default in brigade (the test host ignores it once a run has run in it, and a signal brigade starts with
        // ignored stays ignored in its commands).
        var (code, err) = await RunAsync(dir, "exec env --default-signal=XFSZ dotnet \"$@\"", "grep SigIgn /proc/self/status; : {}");

        Assert.True(code == 0, err);
        var mask = Convert.ToUInt64((await File.ReadAllTextAsync(dir.File("out.txt"))).Split(':')[1].Trim(), 16);
        Assert.True((mask & (1UL << 24)) == 0, $"SIGXFSZ is ignored in the command: SigIgn {mask:x}");
    }

    private static async Task<(int Code, string Stderr)> RunAsync(TempDirectory dir, string script, string command)
    {
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = dir.Path, UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", script, "sh", CliProcess.CliDll }.Concat(Args(dir, command)))
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(150));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stderr);
    }

    private static string[] Args(TempDirectory dir, string command) => ["run", dir.File("in.txt"), "-x", command, "-o", dir.File("out.txt"), "-j", "4"];
}
