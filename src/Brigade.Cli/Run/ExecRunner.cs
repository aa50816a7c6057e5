using System.ComponentModel;
using System.Diagnostics;

namespace Brigade.Cli.Run;

/// <summary>
/// Runs one command, capturing its output. On Linux each command runs in a session (and process group) of its own, so
/// a Ctrl+C at the terminal reaches brigade, not the commands: brigade stops them itself, and a timeout or an
/// interruption kills the whole group, background children included. Where it can (<see cref="ExecSpawner"/>),
/// brigade starts the command itself, without a shell when it needs none; elsewhere through <see cref="Process"/> and
/// the shell, with <c>setsid</c> and a go line so that the reaper lists each command before it runs.
/// </summary>
internal static class ExecRunner
{
    // Appended to the command so the shell reports its children's CPU time on stderr when they are done (POSIX
    // `times`: two lines, the shell's user/system time, then its children's); the lines are taken off stderr again.
    private const string CpuMarker = "__brigade_cpu__";

    // How much of the end of stderr a chunk never takes: the marker and the two `times` lines (about 70 bytes) come last,
    // so they are always in it until TakeRest cuts them off (review 23 N3: a chunk cut inside the marker passed its end
    // and the report; a marker in the command's own stderr at a full buffer's start made empty chunks for good).
    private const int CpuReportBytes = 512;

    private static ReadOnlySpan<byte> CpuMarkerBytes => "__brigade_cpu__"u8;

    // How long a command killed by an interrupt signal (Ctrl+C, SIGTERM, SIGHUP) waits for brigade's own interruption
    // to be noticed: a signal sent to a whole process group reaches the command and brigade at about the same time.
    private static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(1);

    // util-linux's setsid (Debian: always installed). Without it, commands share brigade's process group.
    private static readonly string? Setsid = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
        : null;

    private static long _nextId;

    // The highest signal number (SIGRTMAX on Linux, SIGUSR2 on macOS); none on Windows, where 128 + N means nothing.
    private static readonly int MaxSignal = OperatingSystem.IsWindows() ? 0 : OperatingSystem.IsLinux() ? 64 : 31;

    /// <summary>Runs the command; returns its stdout, the CPU time its processes used when known, and its first process's
    /// time waiting for a core (zero when unknown).</summary>
    /// <exception cref="ExecFailedException">The command failed, timed out, or could not start.</exception>
    /// <exception cref="OperationCanceledException">The run was interrupted: the command was stopped (or killed by the same interrupt) and did not finish.</exception>
    public static Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunAsync(string command, TimeSpan? timeout, CancellationToken cancellationToken) =>
        RunAsync(command, timeout, null, passFailure: false, cancellationToken);

    /// <summary>Runs the command, passing its stderr through to <paramref name="stderr"/> (see <see cref="CommandStderr"/>).</summary>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">The attempt's timeout, or null.</param>
    /// <param name="stderr">Where the command's stderr goes, or null to drop it (a failure keeps its last 2 KB either way).</param>
    /// <param name="passFailure">Whether a failed command's stderr is passed through too: false for an attempt that is tried
    /// again, whose stderr GNU parallel does not show either.</param>
    /// <param name="cancellationToken">Interrupts the run.</param>
    /// <exception cref="ExecFailedException">The command failed, timed out, or could not start.</exception>
    /// <exception cref="OperationCanceledException">The run was interrupted.</exception>
    public static Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunAsync(string command, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, CancellationToken cancellationToken) =>
        RunAsync(new RenderedCommand(command), timeout, stderr, passFailure, cancellationToken);

    /// <summary>Runs a command rendered for an item: directly when its text needs no shell, else its shell form through
    /// <c>/bin/sh -c</c> with its values in the environment (see <see cref="RenderedCommand"/>).</summary>
    /// <param name="command">The command.</param>
    /// <param name="timeout">The attempt's timeout, or null.</param>
    /// <param name="stderr">Where the command's stderr goes, or null to drop it (a failure keeps its last 2 KB either way).</param>
    /// <param name="passFailure">Whether a failed command's stderr is passed through too.</param>
    /// <param name="cancellationToken">Interrupts the run.</param>
    /// <exception cref="ExecFailedException">The command failed, timed out, or could not start.</exception>
    /// <exception cref="OperationCanceledException">The run was interrupted.</exception>
    public static Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunAsync(RenderedCommand command, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, CancellationToken cancellationToken) =>
        RunAsync(command, timeout, stderr, passFailure, null, cancellationToken);

    /// <summary>Runs a command rendered for an item, saying <paramref name="linger"/> when its first process has exited and
    /// a process it left in the background still holds its output.</summary>
    /// <param name="command">The command.</param>
    /// <param name="timeout">The attempt's timeout, or null.</param>
    /// <param name="stderr">Where the command's stderr goes, or null to drop it (a failure keeps its last 2 KB either way).</param>
    /// <param name="passFailure">Whether a failed command's stderr is passed through too.</param>
    /// <param name="linger">What to say then, or null.</param>
    /// <param name="cancellationToken">Interrupts the run.</param>
    /// <exception cref="ExecFailedException">The command failed, timed out, or could not start.</exception>
    /// <exception cref="OperationCanceledException">The run was interrupted.</exception>
    public static Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunAsync(RenderedCommand command, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, LingerNotice? linger, CancellationToken cancellationToken) =>
        ExecSpawner.IsAvailable
            ? ExecSpawner.RunAsync(command, timeout, stderr, passFailure, linger, cancellationToken)
            : RunThroughProcessAsync(command, timeout, stderr, passFailure, linger, cancellationToken);

    /// <summary>Throws the failure of a command that exited with <paramref name="exitCode"/> (128 + N: killed by signal N).</summary>
    /// <exception cref="ExecFailedException">Always, unless the run is being interrupted.</exception>
    /// <exception cref="OperationCanceledException">The command was killed by the interrupt that is stopping the run.</exception>
    internal static Task ThrowFailureAsync(int exitCode, string tail, CancellationToken cancellationToken) =>
        ThrowFailureAsync(exitCode, tail, null, null, cancellationToken);

    /// <summary>Throws the failure of a command that exited with <paramref name="exitCode"/>; <paramref name="knownSignal"/>
    /// is the signal that killed it when the wait status says (0: it exited on its own), or null to read 128 + N as one;
    /// <paramref name="output"/> is what it wrote to stdout, which the failure carries to the output.</summary>
    /// <exception cref="ExecFailedException">Always, unless the run is being interrupted.</exception>
    /// <exception cref="OperationCanceledException">The command was killed by the interrupt that is stopping the run.</exception>
    /// <remarks>The failure carries <paramref name="cpuTime"/> and <paramref name="runQueueWait"/>, what the command used
    /// where known: it counts as a success's does (auto72).</remarks>
    internal static async Task ThrowFailureAsync(int exitCode, string tail, int? knownSignal, byte[]? output, CancellationToken cancellationToken, TimeSpan? cpuTime = null, TimeSpan runQueueWait = default)
    {
        if (exitCode < 0)
        {
            throw new ExecFailedException("the command's exit status was lost (another part of the process reaped it)", null, tail, output) { CpuTime = cpuTime, RunQueueWait = runQueueWait };
        }

        // 128 + N is a signal only for a signal number that exists: `exit 255` is an exit code, not "signal 127".
        var inferred = exitCode > 128 && exitCode - 128 <= MaxSignal ? exitCode - 128 : 0;
        var signal = knownSignal ?? inferred;
        if (signal is 1 or 2 or 3 or 9 or 15 || inferred is 1 or 2 or 3 or 9 or 15)
        {
            // Killed by an interrupt, or exiting as a program that handles one does (exit 130 on SIGINT): if brigade is
            // being interrupted too, the command did not fail, it was stopped before it finished, and runs again on resume.
            await ThrowIfInterruptedAsync(cancellationToken).ConfigureAwait(false);
        }

        var what = signal > 0 ? $"exit code {exitCode} (signal {signal}{(Brigade.Internal.SignalName.Of(signal) is { } name ? ", " + name : "")})" : $"exit code {exitCode}";
        if (exitCode == 127 && !OperatingSystem.IsWindows())
        {
            what += ": command not found";
        }

        throw new ExecFailedException(tail.Length > 0 ? $"{what}: {LastLine(tail)}" : what, exitCode, tail, output) { CpuTime = cpuTime, RunQueueWait = runQueueWait };
    }

    // Through Process and the shell, with `times` for the CPU time: where ExecSpawner is not available.
    internal static Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunThroughProcessAsync(RenderedCommand rendered, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, CancellationToken cancellationToken) =>
        RunThroughProcessAsync(rendered, timeout, stderr, passFailure, null, cancellationToken);

    internal static async Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunThroughProcessAsync(RenderedCommand rendered, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, LingerNotice? linger, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ProcessStartInfo psi;
        if (OperatingSystem.IsWindows())
        {
            psi = new ProcessStartInfo("cmd.exe") { ArgumentList = { "/d", "/c", rendered.Text } };
        }
        else
        {
            // The values as environment variables (RenderedCommand). ProcessStartInfo's environment cannot carry bytes that
            // are not UTF-8, and the text form would let the shell parse the item (review 27 F2): such an item fails, unrun.
            if (rendered.Values.Any(ByteText.HasEscapedBytes))
            {
                throw new ExecFailedException("the item holds bytes that are not UTF-8, which this platform's process start cannot pass to the shell as a value (only Linux's spawner can): not run", null, "");
            }

            var withValues = rendered.Values.Count > 0;
            var command = rendered.ShellText;
            // The command starts only once brigade has listed it with the reaper (the go line on stdin): a brigade
            // killed in between closes stdin, and the shell exits without running anything.
            var script = $"IFS= read -r __brigade_go || exit 129; exec </dev/null; {{ {command}\n}}; {{ __brigade_status=$?; set +x; }} 2>/dev/null; echo {CpuMarker} >&2; times >&2; exit $__brigade_status";
            psi = Setsid is { } setsid
                ? new ProcessStartInfo(setsid) { ArgumentList = { "--wait", "/bin/sh", "-c", script } }
                : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", script } };
            foreach (var name in psi.Environment.Keys.Where(RenderedCommand.IsValueVariable).ToList())
            {
                psi.Environment.Remove(name); // an outer brigade's values: the command's own are its only ones
            }

            for (var i = 0; withValues && i < rendered.Values.Count; i++)
            {
                psi.Environment[RenderedCommand.Variable(i + 1)] = rendered.Values[i];
            }
        }

        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;

        using var process = new Process { StartInfo = psi };
        var slot = ExecReaper.Reserve(Interlocked.Increment(ref _nextId));
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            ExecReaper.Release(slot);
            throw new ExecFailedException($"could not start the shell: {e.Message}", null, null);
        }

        // setsid execs the shell in place (brigade's child is never a group leader), so the group is the child's pid.
        var group = Setsid is not null ? process.Id : 0;
        ExecReaper.Started(slot, process.Id, group != 0);
        try
        {
            return await WaitAsync(process, group, timeout, stderr, passFailure, linger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExecReaper.Release(slot);
        }
    }

    // How long a killed command's output may stay open while its group may still have a process alive (the Process
    // path's counterpart of ExecSpawner's KillWait). Tests lengthen it for their own calls (it flows with them), so that a
    // bound on an attempt that should not wait it out sits far from it.
    internal static readonly AsyncLocal<TimeSpan?> KilledOutputWaitOverride = new();

    private static async Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> WaitAsync(Process process, int group, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, LingerNotice? linger, CancellationToken cancellationToken)
    {
        try
        {
            // The go line (see RunAsync); the command's own stdin is empty.
            if (!OperatingSystem.IsWindows())
            {
                process.StandardInput.Write('\n');
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The shell is already gone; its exit status says why.
        }

        using var stdout = new MemoryStream();
        var readOut = CopyOutputAsync(process.StandardOutput.BaseStream, stdout);
        using var deadline = timeout is { } t ? new CancellationTokenSource(t) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline?.Token ?? CancellationToken.None);
        var errors = new StderrBuffer(stderr is not null, holdBack: CpuReportBytes);
        var readErr = ReadStderrAsync(process.StandardError.BaseStream, errors, stderr, linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);

            // The command's output ends when the last process holding it exits: a background child (`sleep 60 &`)
            // may keep it open after the shell is gone, and the timeout covers that time too.
            var closed = Task.WhenAll(readOut, readErr);
            if (linger is not null && await Task.WhenAny(closed, Task.Delay(linger.After, linked.Token)).ConfigureAwait(false) != closed && !linked.IsCancellationRequested)
            {
                linger.Notify(group != 0 ? LingerNotice.Holders(group) : "");
            }

            await closed.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            var killed = Kill(process, group);

            // A process that left the command's group may still hold its output; the item is over regardless, once the
            // group is gone (as ExecSpawner.WaitKilledAsync).
            var output = Task.WhenAll(readOut, readErr);
            var waited = Stopwatch.StartNew();
            while (!output.IsCompleted && waited.Elapsed < (KilledOutputWaitOverride.Value ?? TimeSpan.FromSeconds(5)))
            {
                var polledAt = Stopwatch.GetTimestamp(); // a reading of the system begun since will do (shared: run68)
                if (await Task.WhenAny(output, Task.Delay(50, CancellationToken.None)).ConfigureAwait(false) != output &&
                    group != 0 && await ProcessGroup.HasLiveMemberAsync(group, polledAt).ConfigureAwait(false) == false)
                {
                    await Task.WhenAny(output, Task.Delay(100, CancellationToken.None)).ConfigureAwait(false);
                    break;
                }
            }

            // Those of its processes that ran .NET left their runtime's files: removed for those seen dead (review 72).
            ProcessTree.RemoveRuntimeFiles(killed);
            cancellationToken.ThrowIfCancellationRequested();
            var partial = readErr.IsCompletedSuccessfully ? TakeCpuTimes(errors.Tail()).Stderr : null;
            if (passFailure && readErr.IsCompletedSuccessfully && stderr is not null)
            {
                await stderr.WriteAsync(errors.TakeRest(CpuMarkerBytes), cancellationToken).ConfigureAwait(false);
            }

            // What it wrote before it was killed is its output too (GNU parallel prints a timed-out job's output), also when
            // a process that left the group still holds the pipe (the copy goes on, abandoned: what it had is taken).
            byte[]? written;
            lock (stdout)
            {
                written = readOut.IsFaulted ? null : stdout.ToArray();
                if (!readOut.IsCompleted)
                {
                    stdout.Dispose(); // under the lock: the abandoned copy stops at its next block
                }
            }

            throw new ExecFailedException($"timed out after {timeout!.Value.TotalSeconds:0.###} s (process group killed)", null, partial, written);
        }

        await readErr.ConfigureAwait(false);
        var (tail, cpu) = TakeCpuTimes(errors.Tail());
        if (stderr is not null && (process.ExitCode == 0 || (passFailure && !cancellationToken.IsCancellationRequested)))
        {
            // Without the shell's CPU report (the last lines, after the marker).
            await stderr.WriteAsync(errors.TakeRest(CpuMarkerBytes), cancellationToken).ConfigureAwait(false);
        }

        if (process.ExitCode != 0)
        {
            await ThrowFailureAsync(process.ExitCode, tail, null, stdout.ToArray(), cancellationToken, cpu).ConfigureAwait(false);
        }

        return (stdout.ToArray(), cpu, TimeSpan.Zero);
    }

    // The command's stdout into a buffer, a block at a time under the buffer's lock, so that a timed-out command's output
    // can be taken while an abandoned copy still waits on a pipe a process outside the command's group holds open.
    private static async Task CopyOutputAsync(Stream from, MemoryStream to)
    {
        var block = new byte[1 << 16];
        int read;
        while ((read = await from.ReadAsync(block, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            lock (to)
            {
                if (!to.CanWrite)
                {
                    return; // the attempt is over and its buffer gone: the rest is not the item's
                }

                to.Write(block, 0, read);
            }
        }
    }

    private static async Task ThrowIfInterruptedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(InterruptGrace, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The command was killed by the interrupt that is stopping the run.", cancellationToken);
        }
    }

    /// <summary>Splits the shell's <c>times</c> report off the end of stderr; returns the rest and the children's user + system time.</summary>
    internal static (string Stderr, TimeSpan? Cpu) TakeCpuTimes(string stderr)
    {
        var at = stderr.LastIndexOf(CpuMarker, StringComparison.Ordinal);
        if (at < 0)
        {
            return (stderr, null);
        }

        var lines = stderr[(at + CpuMarker.Length)..].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rest = stderr[..at].TrimEnd();
        if (lines.Length < 2)
        {
            return (rest, null);
        }

        // "0m0.120000s 0m0.010000s": children's user and system time.
        var total = TimeSpan.Zero;
        foreach (var part in lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = part.IndexOf('m', StringComparison.Ordinal);
            if (m <= 0 || !part.EndsWith('s') ||
                !int.TryParse(part[..m], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minutes) ||
                !double.TryParse(part[(m + 1)..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return (rest, null);
            }

            total += TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(seconds);
        }

        return (rest, total);
    }

    // The whole group (background children included) and whatever left it but still descends from the shell.
    // Returns the processes killed with their start times (review 72: ProcessTree.RemoveRuntimeFiles).
    private static List<(int Pid, string? StartTime)> Kill(Process process, int group)
    {
        // The group stopped (it forks no more), then every process below the shell, those that left the group included,
        // then the group. The tree is read from itself where it can be (ProcessTree, run67): Process.Kill(entireProcessTree)
        // read every process of the system per process of the tree.
        if (group != 0)
        {
            NativeMethods.KillProcessGroup(group, NativeMethods.SigStop);
        }

        var killed = new List<(int Pid, string? StartTime)>();
        try
        {
            if (process.HasExited || ProcessTree.Kill(process.Id, killed))
            {
                return killed;
            }

            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        finally
        {
            if (group != 0)
            {
                NativeMethods.KillProcessGroup(group, NativeMethods.SigKill);
            }
        }

        return killed;
    }

    // Reads the command's stderr into its buffer; when it is passed through and the buffer is full, a chunk is written
    // before anything more is read (never the last CpuReportBytes: the shell's CPU report comes last).
    // A command being killed (its timeout, an interrupt: killing) is read to its end without waiting for its chunks to be
    // written (a stderr nobody reads would hold the kill).
    private static async Task ReadStderrAsync(Stream stream, StderrBuffer errors, CommandStderr? stderr, CancellationToken killing)
    {
        var buffer = new byte[4096];
        while (true)
        {
            if (errors.Room <= 0 && killing.IsCancellationRequested)
            {
                errors.StopPassing();
            }
            else if (errors.Room <= 0)
            {
                var chunk = errors.TakeChunk();
                if (chunk.Length > 0)
                {
                    var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    stderr!.WriteChunk(chunk, () => written.TrySetResult());
                    try
                    {
                        await written.Task.WaitAsync(killing).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        errors.StopPassing();
                    }
                }
            }

            var read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, Math.Max(1, errors.Room))), CancellationToken.None).ConfigureAwait(false); // read to the end, killed or not
            if (read == 0)
            {
                return;
            }

            errors.Append(buffer.AsSpan(0, read));
        }
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 ? lines[^1] : text;
    }
}
