using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Brigade.Doctor.Capture;

/// <summary>
/// The runtime's <c>createdump</c>, started by this process as its own child to dump this process (the live watch), with
/// its output captured. Review 52: asked through the diagnostics IPC, the runtime starts <c>createdump</c> with the
/// process's own standard output and no log file (<c>PAL_GenerateCoreDump</c> passes none, whatever
/// <c>DOTNET_CreateDumpLogToFile</c> says), and createdump prints five <c>[createdump] ...</c> lines there per dump: into
/// the JSON, the data file or the protocol a watched program writes. Started here, it gets the same arguments the
/// runtime gives it (<c>--name</c>, <c>--withheap</c>, the process id), its log goes to <c>/dev/null</c>
/// (<c>--logtofile</c>), and its errors, which it always prints on its standard error, are read from a pipe; the program's
/// own descriptors are never touched.
/// </summary>
internal static partial class CreateDumpChild
{
    /// <summary>Test seam (review 52): when set (in the test's async flow), the program started instead of the runtime's
    /// <c>createdump</c>, with the same arguments: a test makes the dump hang or fail without a runtime behind it.</summary>
    internal static readonly AsyncLocal<string?> ProgramForTests = new();

    /// <summary>How long one wait for createdump lasts; a wait that took far longer than this found this process stopped
    /// meanwhile (see <see cref="WaitWhileRunning"/>).</summary>
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(250);

    /// <summary>The createdump each thread is waiting for (the live watch's thread, one dump at a time), for
    /// <see cref="StopRunning"/>.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Thread, Process> Running = new();

    /// <summary>Yama's <c>prctl</c> option naming the one process that may ptrace this one (<c>PR_SET_PTRACER</c>).</summary>
    private const int SetPtracer = 0x59616d61;

    /// <summary>
    /// The runtime's <c>createdump</c>: beside <c>libcoreclr.so</c> as this process mapped it, where the runtime itself
    /// looks. Null where it is not there (another OS; a single-file app, whose runtime is inside its executable and whose
    /// createdump needs <c>--singlefile</c>): the caller then asks the runtime, as before.
    /// </summary>
    public static string? Find()
    {
        if (ProgramForTests.Value is { } test)
        {
            return test;
        }

        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var at = line.IndexOf('/', StringComparison.Ordinal);
                if (at >= 0 && line.EndsWith("/libcoreclr.so", StringComparison.Ordinal))
                {
                    var program = Path.Combine(Path.GetDirectoryName(line[at..])!, "createdump");
                    return File.Exists(program) ? program : null;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Unknown: the runtime is asked.
        }

        return null;
    }

    /// <summary>What became of a createdump started here.</summary>
    /// <param name="Finished">Whether it ended within the timeout (otherwise it was killed).</param>
    /// <param name="ExitCode">Its exit code when it finished (0: the dump is written).</param>
    /// <param name="Errors">What it printed on its standard error (its <c>[createdump]</c> error lines).</param>
    /// <param name="ProcessId">Its process id.</param>
    /// <param name="Stopped">Whether <see cref="StopRunning"/> killed it.</param>
    internal readonly record struct Outcome(bool Finished, int ExitCode, string Errors, int ProcessId, bool Stopped = false);

    /// <summary>
    /// Runs <paramref name="program"/> to dump <paramref name="processId"/> (this process) into <paramref name="path"/>,
    /// on the calling thread (no thread pool: a watched program's pool may be starved), and kills it if it has not ended
    /// after <paramref name="timeout"/> of this process's running time (<see cref="WaitWhileRunning"/>): createdump stops
    /// every thread of the process it dumps while it writes, this one included, for as long as the dump takes (45 s at
    /// load 30-85, review 49).
    /// </summary>
    public static Outcome Run(string program, int processId, string path, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["--name", path, "--withheap", "--logtofile", "/dev/null", processId.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        Running[Thread.CurrentThread] = child;
        try
        {
            var outcome = Wait(child, timeout);
            return Running.TryRemove(new KeyValuePair<Thread, Process>(Thread.CurrentThread, child)) ? outcome : outcome with { Stopped = true };
        }
        finally
        {
            Running.TryRemove(new KeyValuePair<Thread, Process>(Thread.CurrentThread, child));
        }
    }

    /// <summary>Kills the createdump <paramref name="thread"/> is waiting for, if any (its <see cref="Run"/> then returns
    /// an outcome that says so): a <c>PlainLockWatch.Dispose</c> that stopped waiting for the diagnosis frees its dump
    /// instead of leaving it to run out its timeout. One that has this process stopped (writing) cannot be asked: this
    /// call runs only when it is not.</summary>
    /// <returns>Whether one was running.</returns>
    public static bool StopRunning(Thread thread)
    {
        if (!Running.TryRemove(thread, out var child))
        {
            return false;
        }

        try
        {
            child.Kill();
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // It ended (and was disposed) meanwhile.
            return false;
        }
    }

    private static Outcome Wait(Process child, TimeSpan timeout)
    {
        // Under Yama's ptrace_scope 1 a process may ptrace only its descendants, and createdump is this process's child:
        // name it as this process's tracer, as the runtime does for the createdump it starts. (createdump initialises
        // before it attaches; the runtime's own call comes just as late.) Without Yama the call fails and changes nothing.
        _ = prctl(SetPtracer, (nuint)child.Id, 0, 0, 0);
        child.StandardInput.Close();

        if (WaitWhileRunning(child.WaitForExit, timeout))
        {
            return new Outcome(true, child.ExitCode, child.StandardError.ReadToEnd(), child.Id);
        }

        try
        {
            child.Kill();
        }
        catch (InvalidOperationException)
        {
            // It ended meanwhile.
        }

        // Killed, its pipe's writing end is closed and what it wrote can be read; one that somehow outlives SIGKILL
        // (uninterruptible in the kernel) is not waited for.
        var ended = child.WaitForExit(TimeSpan.FromSeconds(5));
        return new Outcome(false, ended ? child.ExitCode : -1, ended ? child.StandardError.ReadToEnd() : "", child.Id);
    }

    /// <summary>Calls <paramref name="wait"/> (true: what it waits for came) slice by slice until it returns true or
    /// <paramref name="timeout"/> of this process's running time has passed: a slice that came back far later than it
    /// asked found this process stopped meanwhile (createdump attached to it, writing the dump), and counts as one slice.
    /// So a large dump at load is not given up for its size, and a writer that hangs before or after it stops the process
    /// is, after at least <paramref name="timeout"/>.</summary>
    /// <returns>Whether <paramref name="wait"/> returned true in time.</returns>
    public static bool WaitWhileRunning(Func<TimeSpan, bool> wait, TimeSpan timeout)
    {
        var waited = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        while (waited < timeout)
        {
            var before = clock.Elapsed;
            if (wait(Slice))
            {
                return true;
            }

            var took = clock.Elapsed - before;
            waited += took > 4 * Slice ? Slice : took;
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
