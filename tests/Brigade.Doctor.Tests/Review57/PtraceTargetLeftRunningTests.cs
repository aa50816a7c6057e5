using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Review57;

/// <summary>Review 57: the core file written here stops the target's threads (<c>PTRACE_SEIZE</c>, <c>PTRACE_INTERRUPT</c>)
/// only while it copies them: after a dump, after a dump cancelled mid-way, and with a thread that started during the
/// seize, no thread is left stopped or traced and the program still does what it did (it reads its standard input).</summary>
public sealed class PtraceTargetLeftRunningTests
{
    private static DoctorOptions Options => new() { DumpDirectory = CorpusFixture.DumpDirectory, DumpTimeout = TimeSpan.FromSeconds(120) };

    /// <summary>Starts the corpus program with its standard input ours (it exits when that closes) and waits for "ready".</summary>
    private static async Task<Process> StartAsync(string scenario)
    {
        var psi = new ProcessStartInfo(ChildProcess.DotnetPath()) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        psi.ArgumentList.Add(ChildProcess.CorpusDll);
        psi.ArgumentList.Add(scenario);
        var child = Process.Start(psi)!;
        using var failsafe = new CancellationTokenSource(ChildProcess.Failsafe);
        while (await child.StandardOutput.ReadLineAsync(failsafe.Token) is { } line && !line.Contains("ready", StringComparison.Ordinal))
        {
        }

        return child;
    }

    /// <summary>Each thread's state letter and tracer, from <c>/proc/PID/task</c>.</summary>
    private static List<(int Thread, char State, int Tracer)> Threads(int processId)
    {
        var threads = new List<(int, char, int)>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var state = stat[stat.LastIndexOf(')') + 2];
                var tracer = File.ReadLines(Path.Combine(task, "status")).First(l => l.StartsWith("TracerPid:", StringComparison.Ordinal))[10..].Trim();
                threads.Add((int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), state, int.Parse(tracer, CultureInfo.InvariantCulture)));
            }
            catch (IOException)
            {
                // It ended meanwhile.
            }
        }

        return threads;
    }

    /// <summary>Waits (up to 30 s: only a failure waits it out) until no thread is traced or stopped by a tracer.</summary>
    private static async Task AssertLetGoAsync(int processId)
    {
        var clock = Stopwatch.StartNew();
        List<(int Thread, char State, int Tracer)> held;
        while ((held = Threads(processId).Where(t => t.Tracer != 0 || t.State is 't' or 'T').ToList()).Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }

        Assert.True(held.Count == 0, $"threads still held: {string.Join(", ", held)}");
    }

    /// <summary>Closes the program's standard input and waits for it to end: its main thread runs and reads.</summary>
    private static async Task AssertStillReadsAsync(Process child)
    {
        child.StandardInput.Close();
        using var failsafe = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await child.WaitForExitAsync(failsafe.Token);
        Assert.Equal(0, child.ExitCode);
    }

    private static async Task<(Diagnosis Diagnosis, string Route)> DiagnoseAsync(int processId, PtraceCore.Seams seams, CancellationToken cancellationToken = default)
    {
        var routes = new ConcurrentQueue<string>();
        DumpCapture.RouteForTests.Value = routes;
        DumpCapture.PtraceSeamsForTests.Value = seams;
        try
        {
            return (await Doctor.DiagnoseProcessAsync(processId, Options, cancellationToken), string.Join(",", routes));
        }
        finally
        {
            DumpCapture.RouteForTests.Value = null;
            DumpCapture.PtraceSeamsForTests.Value = null;
        }
    }

    [Fact]
    public async Task ADumpCancelledWhileTheThreadsAreStopped_LetsThemGo_AndTakesNoOtherDump()
    {
        using var child = await StartAsync("twin-idle");
        try
        {
            using var cancel = new CancellationTokenSource();
            var stoppedSeen = false;
            var seams = new PtraceCore.Seams
            {
                Stopped = () =>
                {
                    // Every thread is stopped here by a tracer (TracerPid is the tracing thread's id): what a cancellation must undo.
                    stoppedSeen = Threads(child.Id).All(t => t.Tracer != 0 && t.State == 't');
                    cancel.Cancel();
                },
            };

            var routes = new ConcurrentQueue<string>();
            DumpCapture.RouteForTests.Value = routes;
            DumpCapture.PtraceSeamsForTests.Value = seams;
            try
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Doctor.DiagnoseProcessAsync(child.Id, Options, cancel.Token));
            }
            finally
            {
                DumpCapture.RouteForTests.Value = null;
                DumpCapture.PtraceSeamsForTests.Value = null;
            }

            Assert.True(stoppedSeen, "the threads were not all stopped by a tracer when the dump was cancelled");
            Assert.Empty(routes); // cancelled: no dump taken the runtime's way either
            await AssertLetGoAsync(child.Id);
            await AssertStillReadsAsync(child);
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public async Task AfterADump_NoThreadIsHeld_AndAThreadSeenOnlyOnTheSecondRoundIsInTheDump()
    {
        using var child = await StartAsync("twin-idle");
        try
        {
            // The main thread "starts during the seize": it is not in the first round's list of threads.
            var seams = new PtraceCore.Seams { Threads = (round, threads) => round == 0 ? [.. threads.Where(t => t != child.Id)] : threads };
            var (diagnosis, route) = await DiagnoseAsync(child.Id, seams);
            Assert.Equal("ptrace", route);
            var main = Assert.Single(diagnosis.Threads, t => t.OSThreadId == (uint)child.Id);
            Assert.NotEmpty(main.Frames);
            await AssertLetGoAsync(child.Id);
            await AssertStillReadsAsync(child);
        }
        finally
        {
            child.Kill();
        }
    }

    [Fact]
    public async Task AThreadThatKeepsEscapingTheSeize_IsLeftOut_NotWaitedFor()
    {
        using var child = await StartAsync("lock-type-abba");
        try
        {
            // The main thread is never in the list (a thread that starts again on every round): the dump is taken without it.
            var seams = new PtraceCore.Seams { Threads = (_, threads) => [.. threads.Where(t => t != child.Id)] };
            var (diagnosis, route) = await DiagnoseAsync(child.Id, seams);
            Assert.Equal("ptrace", route);
            Assert.Single(diagnosis.Deadlocks);
            Assert.DoesNotContain(diagnosis.Threads, t => t.OSThreadId == (uint)child.Id && t.Frames.Count > 0);
            await AssertLetGoAsync(child.Id);
        }
        finally
        {
            child.Kill();
        }
    }
}
