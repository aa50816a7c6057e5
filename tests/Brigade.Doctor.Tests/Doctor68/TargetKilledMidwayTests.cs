using System.Globalization;
using System.Runtime.InteropServices;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Doctor68;

/// <summary>
/// Review 68: a target killed (<c>kill -9</c>) while <c>brigade doctor PID</c> reads it. Before, the doctor exited 2 with
/// one of "the data-access library ... could not read this dump" (the core written here had the dead process's pages
/// as zeros: a read that failed because the process was gone was taken for an unreadable page), "has no .NET diagnostics
/// endpoint: it is not a .NET process" (the runtime's route, tried after, found no live endpoint) or "exited before its
/// dump was written" as bad input. Now one true line, the docs' exit code 1 (<see cref="DoctorErrorKind.DumpFailed"/>),
/// wherever the kill lands. Each kill is made inside the capture through its test seams, and the seam waits until the
/// process is dead (a zombie or reaped): no timing decides the outcome.
/// </summary>
public sealed class TargetKilledMidwayTests
{
    private const int KillSignal = 9;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    /// <summary>The line the doctor says for a target that ended while it was being dumped.</summary>
    private static string Exited(int pid) =>
        string.Create(CultureInfo.InvariantCulture, $"process {pid} (dotnet) exited while its dump was being written: nothing to diagnose; run brigade doctor again on a live process");

    /// <summary>Kills the process and waits (bounded only by the failsafe) until /proc shows it dead: gone, or a zombie.</summary>
    private static void KillAndWaitDead(int pid)
    {
        Assert.Equal(0, Kill(pid, KillSignal));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < ChildProcess.Failsafe)
        {
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{pid}/stat");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }

            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart()[0];
            if (state is 'Z' or 'X')
            {
                return;
            }

            Thread.Sleep(5);
        }

        Assert.Fail($"process {pid} still runs after SIGKILL");
    }

    /// <summary>Sets the seams that kill the target at <paramref name="point"/>; returns what resets them.</summary>
    private static Action KillAt(string point, int pid)
    {
        var killed = 0;
        void Once()
        {
            if (Interlocked.Exchange(ref killed, 1) == 0)
            {
                KillAndWaitDead(pid);
            }
        }

        Action<int, int>? reading = point switch
        {
            "first-read" => (i, _) => { if (i == 0) { Once(); } },
            "quarter-read" => (i, n) => { if (i == n / 4) { Once(); } },
            "half-read" => (i, n) => { if (i == n / 2) { Once(); } },
            "last-read" => (i, n) => { if (i == n - 1) { Once(); } },
            _ => null,
        };
        DumpCapture.PtraceSeamsForTests.Value = new PtraceCore.Seams
        {
            Threads = point == "seize" ? (round, threads) => { if (round == 0) { Once(); } return threads; } : null,
            Stopped = point == "stopped" ? Once : null,
            Reading = reading,
            Copied = point == "copied" ? Once : null,
        };
        if (point == "runtime")
        {
            DumpCapture.ForceRuntimeDumpForTests.Value = true;
            DumpCapture.BeforeDumpForTests.Value = Once;
        }

        return () =>
        {
            DumpCapture.PtraceSeamsForTests.Value = null;
            DumpCapture.ForceRuntimeDumpForTests.Value = false;
            DumpCapture.BeforeDumpForTests.Value = null;
        };
    }

    [Theory]
    [InlineData("seize")]
    [InlineData("stopped")]
    [InlineData("first-read")]
    [InlineData("quarter-read")]
    [InlineData("half-read")]
    [InlineData("last-read")]
    [InlineData("copied")]
    [InlineData("runtime")]
    public async Task KilledWhileItIsDumped_IsOneTrueLine_OfTheDumpFailedKind(string point)
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["lock-type-abba"]);
        var reset = KillAt(point, child.Id);
        DoctorException failure;
        try
        {
            failure = await Assert.ThrowsAsync<DoctorException>(() =>
                Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = CorpusFixture.DumpDirectory, DumpTimeout = TimeSpan.FromSeconds(120) }));
        }
        finally
        {
            reset();
        }

        Assert.Equal(Exited(child.Id), failure.Message);
        Assert.Equal(DoctorErrorKind.DumpFailed, failure.Kind);
    }

    [Fact]
    public async Task TheCommand_SaysTheLine_AndExits1()
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["lock-type-abba"]);
        var reset = KillAt("half-read", child.Id);
        (int ExitCode, string Stdout, string Stderr) result;
        try
        {
            result = await Cli.InProcessAsync("doctor", child.Id.ToString(CultureInfo.InvariantCulture));
        }
        finally
        {
            reset();
        }

        Assert.Equal("brigade: doctor: " + Exited(child.Id), result.Stderr.TrimEnd());
        Assert.Equal("", result.Stdout);
        Assert.Equal(1, result.ExitCode);
    }

    [Fact]
    public async Task AProcessAlreadyDead_GivenAtTheStart_IsBadInput_ThatSaysItExited()
    {
        // A zombie: `sleep 0`, whose parent became `sleep 60` (exec) and never reaps it. Before: "is not a .NET process".
        var psi = new System.Diagnostics.ProcessStartInfo("sh") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("sleep 0 & echo $!; exec sleep 60");
        using var parent = System.Diagnostics.Process.Start(psi)!;
        try
        {
            var zombie = int.Parse((await parent.StandardOutput.ReadLineAsync())!, CultureInfo.InvariantCulture);
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (!File.ReadAllText($"/proc/{zombie}/stat").Contains(") Z ", StringComparison.Ordinal) && waited.Elapsed < ChildProcess.Failsafe)
            {
                await Task.Delay(5);
            }

            var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", zombie.ToString(CultureInfo.InvariantCulture));
            Assert.Equal($"brigade: doctor: process {zombie} (sleep) has already exited (its parent has not yet collected its exit status): there is nothing to diagnose", stderr.TrimEnd());
            Assert.Equal("", stdout);
            Assert.Equal(2, code);
        }
        finally
        {
            parent.Kill();
            await parent.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task NoSuchProcess_GivenAtTheStart_IsStillBadInput()
    {
        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "999999999");
        Assert.Equal("brigade: doctor: no process with id 999999999", stderr.TrimEnd());
        Assert.Equal("", stdout);
        Assert.Equal(2, code);
    }
}
