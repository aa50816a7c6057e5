using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brigade.Processes.Tests;

/// <summary>
/// Cancelling a run whose item ignores its token (review 19, S2 items 1 and 2): the engine waits a grace period for
/// the worker's last chunk, then kills the worker and reports its unfinished items as not run; and the Cancel frame is
/// not written on the canceller's thread, so a frozen worker cannot hang <see cref="CancellationTokenSource.Cancel()"/>.
/// </summary>
public sealed class CancellationGraceTests
{
    // Coarse bounds, far above the grace period (2 s) and a loaded machine's scheduling, far below the item (60 s). A
    // Cancel() blocked writing to the frozen worker would stay blocked (the worker never reads again): 5 s, the bound
    // before, was short for a fresh thread at load 40.
    private static readonly TimeSpan RunEndBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan CancelReturnBound = TimeSpan.FromSeconds(15);

    [Fact(Timeout = 90_000)]
    public async Task Cancel_ItemIgnoresItsToken_WorkerKilledAfterGrace_ItemReportedNotRun()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-grace-").FullName;
        var engine = TestEngines.Create();
        var pid = 0;
        Task? run = null;
        try
        {
            using var cancel = new CancellationTokenSource();
            var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1 };
            var result = Runner.MapAsync(new[] { "hold:" + directory }, new IgnoresToken(), options, cancel.Token);
            run = result;
            pid = await StopsSlowly.WaitForPidAsync(directory, run);

            await cancel.CancelAsync();
            var error = await Assert.ThrowsAsync<RunCanceledException>(() => result.WaitAsync(RunEndBound));

            Assert.Equal(1, error.Report.Items);
            Assert.Equal(1, error.Report.NotRun);
            Assert.Equal(0, error.Report.Failed);
            Assert.Equal(0, error.Report.Succeeded);
            Assert.Empty(await ProcessList.WaitGoneAsync([pid], ProcessList.GoneBound));
            Assert.DoesNotContain(pid, engine.GetWorkerProcessIds());
        }
        finally
        {
            await CleanUpAsync(engine, pid, run, directory);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task ReaderLeavesStream_ItemIgnoresItsToken_WorkerKilledAfterGrace_ItemReportedNotRun()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-grace-").FullName;
        var engine = TestEngines.Create();
        var pid = 0;
        Task? leaving = null;
        try
        {
            var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, BatchSize = 1 };
            var stream = Runner.StreamAsync(new[] { "quick", "hold:" + directory }, new IgnoresToken(), options);
            var reader = stream.GetAsyncEnumerator();
            Assert.True(await reader.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(40)));
            Assert.True(reader.Current.IsSuccess);
            pid = await StopsSlowly.WaitForPidAsync(directory, Task.Delay(Timeout.Infinite));

            // The reader leaves while the item holds its worker: leaving waits for the run, which must end.
            leaving = reader.DisposeAsync().AsTask();
            await leaving.WaitAsync(RunEndBound);

            Assert.NotNull(stream.Report);
            Assert.Equal(1, stream.Report.Succeeded);
            Assert.Equal(1, stream.Report.NotRun);
            Assert.Equal(0, stream.Report.Failed);
            Assert.Empty(await ProcessList.WaitGoneAsync([pid], ProcessList.GoneBound));
        }
        finally
        {
            await CleanUpAsync(engine, pid, leaving, directory);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Cancel_WorkerFrozenWithAFullPipe_CancelReturnsPromptly_RunEnds()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-frozen-").FullName;
        // A long target batch duration: the loop measures the quick item, even cold, as cheap, so it pipelines.
        var engine = TestEngines.Create(o => o.TargetBatchDuration = TimeSpan.FromSeconds(30));
        var pid = 0;
        Task? run = null;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            using var cancel = new CancellationTokenSource();

            // One item per batch: a quick one (its measurement lets the loop keep two batches in flight), one that
            // holds the worker, and one far larger than a pipe, sent only once the worker is frozen.
            var options = new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, BatchSize = 1 };
            var result = Runner.MapAsync(Inputs(directory, release.Task), new IgnoresToken(), options, cancel.Token);
            run = result;
            pid = await StopsSlowly.WaitForPidAsync(directory, run);

            Signal(pid, "STOP");
            release.SetResult();

            // The loop's write of the large item fills the frozen worker's channel and blocks, holding the channel.
            await WaitForFullPipeAsync(pid, run);

            var canceller = Task.Factory.StartNew(cancel.Cancel, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Assert.True(await Task.WhenAny(canceller, Task.Delay(CancelReturnBound)) == canceller, "Cancel() did not return: it blocked writing to the frozen worker.");

            var error = await Assert.ThrowsAsync<RunCanceledException>(() => result.WaitAsync(RunEndBound));
            Assert.Equal(3, error.Report.Items);
            Assert.Equal(1, error.Report.Succeeded);
            Assert.Equal(2, error.Report.NotRun);
            Assert.Equal(0, error.Report.Failed);
            Assert.Empty(await ProcessList.WaitGoneAsync([pid], ProcessList.GoneBound));
            Assert.DoesNotContain(pid, engine.GetWorkerProcessIds());
        }
        finally
        {
            release.TrySetResult();
            await CleanUpAsync(engine, pid, run, directory);
        }
    }

    private static async IAsyncEnumerable<string> Inputs(string directory, Task release, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return "quick";
        yield return "hold:" + directory;
        await release.WaitAsync(cancellationToken);
        yield return new string('x', 4 << 20);
    }

    // Full: the bytes waiting in the worker's channel fill the pipe (read through /proc, without taking any).
    private static async Task WaitForFullPipeAsync(int pid, Task run)
    {
        var channel = ChannelFromHost(pid);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var seen = "";
        while (DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            var fd = Open(channel, ReadOnlyNonBlocking);
            Assert.True(fd >= 0, $"cannot open the worker's channel (errno {Marshal.GetLastPInvokeError()})");
            int waiting = -1, capacity = -1;
            try
            {
                capacity = Fcntl(fd, GetPipeSize, 0);
                _ = Ioctl(fd, BytesToRead, ref waiting);
            }
            finally
            {
                // Closed at once: a reader left open would keep the host's write from failing when the worker dies.
                _ = Close(fd);
            }

            seen = $"{waiting} of {capacity} bytes";
            // Full: not a page free. The frame's head is written before the value's 256 KiB pieces, which the kernel does
            // not merge into the head's page (since review 66 a string input goes in pieces, as byte arrays did): 61,467 of
            // 65,536 bytes is a full pipe with the host's write blocked.
            if (capacity > 0 && waiting > capacity - Environment.SystemPageSize)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"The worker's channel never filled up: {seen} waiting (run completed: {run.IsCompleted}).");
    }

    // The worker host moves the channel off descriptor 0: it is the pipe the worker reads and this process writes.
    private static string ChannelFromHost(int pid)
    {
        var written = Pipes(Environment.ProcessId, accessMode: 1).Select(p => p.Target).ToHashSet();
        foreach (var (entry, target) in Pipes(pid, accessMode: 0))
        {
            if (written.Contains(target))
            {
                return entry;
            }
        }

        Assert.Fail($"Worker {pid} reads no pipe this process writes.");
        return "";
    }

    private static IEnumerable<(string Entry, string Target)> Pipes(int pid, int accessMode)
    {
        foreach (var entry in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            string? target;
            string[] info;
            try
            {
                target = new FileInfo(entry).LinkTarget;
                info = File.ReadAllLines($"/proc/{pid}/fdinfo/{Path.GetFileName(entry)}");
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }

            var flags = info.Single(l => l.StartsWith("flags:", StringComparison.Ordinal))["flags:".Length..].Trim();
            if (target is not null && target.StartsWith("pipe:", StringComparison.Ordinal) && (Convert.ToInt32(flags, 8) & 3) == accessMode)
            {
                yield return (entry, target);
            }
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task CleanUpAsync(ProcessEngine engine, int pid, Task? run, string directory)
    {
        if (pid != 0 && ProcessList.IsAlive(pid))
        {
            try
            {
                using var worker = Process.GetProcessById(pid);
                worker.Kill(); // SIGKILL, which also ends a stopped process
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
            }
        }

        if (run is not null)
        {
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception)
            {
                // The test has reported what went wrong; this only keeps the run from outliving it.
            }
        }

        await engine.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private const int ReadOnlyNonBlocking = 0x800; // O_RDONLY | O_NONBLOCK
    private const int GetPipeSize = 1032; // F_GETPIPE_SZ
    private const nuint BytesToRead = 0x541B; // FIONREAD

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static extern int Fcntl(int fd, int command, int argument);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static extern int Ioctl(int fd, nuint request, ref int value);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}

/// <summary>"hold:DIR" writes DIR/PID.pid and sleeps a minute, deaf to cancellation; any other input returns its length.</summary>
public sealed class IgnoresToken : IWork<string, int>
{
    public int Execute(string input)
    {
        if (input.StartsWith("hold:", StringComparison.Ordinal))
        {
            File.WriteAllText(Path.Combine(input[5..], $"{Environment.ProcessId}.pid"), "");
            Thread.Sleep(TimeSpan.FromSeconds(60));
        }

        return input.Length;
    }
}
