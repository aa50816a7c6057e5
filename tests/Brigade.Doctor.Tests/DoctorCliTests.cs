using System.Diagnostics;
using System.Text.Json;

namespace Brigade.Doctor.Tests;

/// <summary><c>brigade doctor</c> as a user runs it: reports and exit codes, JSON, one-line errors (dumps: <see cref="DoctorDumpCliTests"/>).
/// The first test and one bad input run the <c>brigade</c> process; the others run the same command line in this host
/// (<see cref="Cli.InProcessAsync"/>).</summary>
public sealed class DoctorCliTests
{
    [Fact]
    public async Task DoctorPid_AbbaDeadlock_PrintsTheCycleWithBothThreadsAndExits3()
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["abba-lock"]);

        var (code, stdout, stderr) = await Cli.RunAsync("doctor", "--pid", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(code == 3, $"exit {code}: {stderr}\n{stdout}");
        Assert.Contains("BRG1001 Deadlock detected: 2 threads wait for each other in a cycle (lock/Monitor)", stdout, StringComparison.Ordinal);
        Assert.Contains("thread 'abba-1'", stdout, StringComparison.Ordinal);
        Assert.Contains("thread 'abba-2'", stdout, StringComparison.Ordinal);
        Assert.Contains("static field Brigade.Doctor.Corpus.Scenarios.AbbaLock.AccountA", stdout, StringComparison.Ordinal);
        Assert.Contains("(AbbaLock.cs:", stdout, StringComparison.Ordinal);
        Assert.False(child.HasExited);
    }

    [Fact]
    public async Task DoctorPidJson_StarvedPool_IsOneJsonDocumentWithTheStarvationAndTheTaskChain()
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["pool-starvation-sync-over-async"]);

        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "--pid", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.True(code == 3, $"exit {code}: {stderr}");
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(child.Id, root.GetProperty("processId").GetInt32());
        Assert.Equal("BRG1004", root.GetProperty("pitfalls")[0].GetProperty("code").GetString());
        Assert.True(root.GetProperty("threadPool").GetProperty("starved").GetBoolean());
        Assert.True(root.GetProperty("threadPool").GetProperty("queuedWorkItems").GetInt32() > 0);
        var waits = root.GetProperty("threads").EnumerateArray().Where(t => t.TryGetProperty("wait", out var w) && w.GetProperty("kind").GetString() == "Task").ToList();
        Assert.NotEmpty(waits);
        Assert.Contains(waits, w => w.GetProperty("wait").GetProperty("task").GetProperty("description").GetString()!.Contains("FetchAsync", StringComparison.Ordinal));
    }

    /// <summary>One idle program serves both cases (each started its own twin-idle: a program's start is ~0.15 s of CPU):
    /// first diagnosed as it runs, then stopped.</summary>
    [Fact]
    public async Task DoctorPid_IdleProcess_SaysNoPitfallAndExits0_AndStopped_SaysItIsStoppedAtOnce_InOneLineAndExits2()
    {
        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-idle"]);
        var id = child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var (idleCode, idleOut, idleErr) = await Cli.InProcessAsync("doctor", "--pid", id);

        Assert.True(idleCode == 0, $"exit {idleCode}: {idleErr}\n{idleOut}");
        Assert.Contains("No pitfall found", idleOut, StringComparison.Ordinal);

        Signal("-STOP", child.Id);
        Assert.True(SpinWait.SpinUntil(() => State(child.Id) == 'T', TimeSpan.FromSeconds(30)), "the child did not stop within 30 s");

        // Without the check the runtime never answers and doctor waits (a minute here is a hang: the default timeout is 30 s).
        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "--pid", id, "--timeout", "60s");

        Assert.True(code == 2, $"exit {code}: {stderr}\n{stdout}");
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains($"process {id} (", stderr, StringComparison.Ordinal);
        Assert.Contains(") is stopped", stderr, StringComparison.Ordinal);
        Assert.Contains($"kill -CONT {id}", stderr, StringComparison.Ordinal);
        Signal("-CONT", child.Id);
    }

    [Fact]
    public async Task DoctorPid_EndpointThatNeverAnswers_GivesUpAfterTheTimeout_InOneLineAndExits2()
    {
        // A diagnostics endpoint that takes the dump request and never answers (a hung runtime): a socket in the
        // runtime's naming scheme for a process that is not .NET, which nobody reads.
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        // The runtime's key is the process's start time (field 22 of /proc/PID/stat): a socket with another key is a
        // stale one of an earlier process with the same id, which doctor rightly ignores.
        var stat = File.ReadAllText($"/proc/{sleeper.Id}/stat");
        var startTime = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[19];
        var socketPath = Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{sleeper.Id}-{startTime}-socket");
        using var endpoint = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            endpoint.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
            endpoint.Listen(4);
            var id = sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

            var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", "--pid", id, "--timeout", "1s");

            Assert.True(code == 2, $"exit {code}: {stderr}\n{stdout}");
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains($"process {id} (sleep) does not answer on its diagnostics endpoint (waited 1 s)", stderr, StringComparison.Ordinal);
            Assert.Contains($"gcore {id}", stderr, StringComparison.Ordinal);
        }
        finally
        {
            sleeper.Kill();
            File.Delete(socketPath);
        }
    }

    private static void Signal(string signal, int processId)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"{signal} {processId}") { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static char State(int processId) =>
        File.ReadAllLines($"/proc/{processId}/status").First(l => l.StartsWith("State:", StringComparison.Ordinal))[6..].Trim()[0];

    [Fact]
    public async Task BadInput_GetsOneLineAndExit2()
    {
        using var temp = new TempDirectory();
        var notADump = Path.Combine(temp.Path, "notes.txt");
        await File.WriteAllTextAsync(notADump, "hello");
        // Killed at the end; 600 s, not 60: the cases ran one brigade process each, and at load 80 the sleeper had ended
        // before its case (1 min 37 s, "no process with id" instead of "is not a .NET process", 2026-12-05 19:22).
        using var sleeper = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        // The socket a SIGKILLed .NET process with the same id left behind (ids are reused): not the sleeper's endpoint.
        var staleSocket = Path.Combine(Path.GetTempPath(), $"dotnet-diagnostic-{sleeper.Id}-1-socket");
        await File.WriteAllTextAsync(staleSocket, "");
        try
        {
            var cases = new (string[] Args, string Expected)[]
            {
                (["doctor", "--pid", "999999999"], "no process with id 999999999"),
                (["doctor", "--pid", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], "is not a .NET process"),
                (["doctor", "--dump", notADump], "is not a core dump"),
                (["doctor", "--dump", Path.Combine(temp.Path, "missing.dmp")], "no dump file"),
                (["doctor"], "give exactly one of --pid PID"),
                (["doctor", "--pid", "1", "--dump", notADump], "give exactly one of --pid PID"),
                (["doctor", "--dump", notADump, "--keep-dump", "x.dmp"], "--keep-dump goes with --pid"),
                (["doctor", "--dump", notADump, "--timeout", "5s"], "--timeout goes with --pid"),
                (["doctor", "--pid", "1", "--timeout", "soon"], "--timeout"),

                // The process or the dump given alone, as `brigade doctor 4242` (refused as an unknown argument before).
                (["doctor", "999999999"], "no process with id 999999999"),
                (["doctor", sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], "is not a .NET process"),
                (["doctor", notADump], "is not a core dump"),
                (["doctor", Path.Combine(temp.Path, "missing.dmp")], "no dump file"),
                (["doctor", "1", "--pid", "1"], "give the process or the dump once"),
            };
            foreach (var (args, expected) in cases)
            {
                // The first case through the process (Program's streams and exit code), the others in this host: the same parse and
                // messages, without starting (and JIT-compiling) a brigade process for each of the other 13.
                var (code, stdout, stderr) = args is ["doctor", "--pid", "999999999"] ? await Cli.RunAsync(args) : await Cli.InProcessAsync(args);
                Assert.True(code == 2, $"{string.Join(' ', args)}: exit {code}, {stderr}");
                Assert.Equal("", stdout);
                Assert.Single(stderr.Trim().Split('\n'));
                Assert.Contains(expected, stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(staleSocket);
            sleeper.Kill();
        }
    }
}
