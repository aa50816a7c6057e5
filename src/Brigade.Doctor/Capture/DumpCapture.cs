using System.Globalization;
using System.Net.Sockets;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Win32.SafeHandles;

namespace Brigade.Doctor.Capture;

/// <summary>
/// Takes a dump of a live .NET process through its runtime's diagnostics IPC (the runtime launches <c>createdump</c>,
/// which stops the process only while it writes). The dump goes to a private directory; when root dumps another user's
/// process, the directory is handed to that user, because <c>createdump</c> runs as the target's user.
/// </summary>
internal static class DumpCapture
{
    /// <summary>How long a dump directory of an ended process must have been left untouched before a sweep deletes it: a
    /// dump of a target that just exited may still be read or moved (--keep-dump) by the run that took it.</summary>
    internal static readonly TimeSpan StaleDumpAge = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Dumps another process (<c>brigade doctor --pid</c>). Review 48: into a file with no name (as the live watch's,
    /// <see cref="CaptureUnnamed"/>) when the target's <c>createdump</c> can open this process's descriptor: the same user,
    /// the same PID and mount namespaces, and no <see cref="DoctorOptions.KeepDumpPath"/>. A <c>brigade doctor</c> killed
    /// by a signal during the analysis then leaves nothing behind (before, its ~100 MB dump stayed in <c>/dev/shm</c>).
    /// Otherwise (root dumping another user's process, whose <c>createdump</c> cannot open root's descriptors; a dump to
    /// keep) the dump has a name until the diagnosis ends, and the next <c>brigade doctor</c> sweeps it if it was left.
    /// </summary>
    /// <returns>The path to read the dump by, its private directory (deleted with what is in it once the analysis is
    /// over), and, for a dump with no name, the descriptor that keeps it (dispose it once the analysis is over).</returns>
    /// <remarks>Review 49: when the check says yes but the runtime's <c>createdump</c> is refused the unnamed file anyway (a
    /// security module, a <c>/proc</c> mounted with <c>hidepid</c>, a descriptor it cannot open: the runtime reports a
    /// failed dump, or a dump it did not write), the dump is taken again with a name, swept as any named dump; before, the
    /// diagnosis failed. <see cref="CaptureWithRouteAsync"/> also says which was used (for <see cref="Diagnosis.Notes"/>).</remarks>
    public static async Task<(string Path, string Directory, SafeFileHandle? File)> CaptureAsync(int processId, DoctorOptions options, CancellationToken cancellationToken) =>
        (await CaptureWithRouteAsync(processId, options, cancellationToken).ConfigureAwait(false)).Capture;

    /// <summary>As <see cref="CaptureAsync"/>, and says how the dump was written: null for the usual way (with no name when
    /// the check allowed it, otherwise named), or the sentence for <see cref="Diagnosis.Notes"/> when the unnamed dump was
    /// refused and a named one was taken instead.</summary>
    /// <remarks>Review 68: the process is read first; none by that id (or one already dead) is bad input
    /// (<see cref="DoctorErrorKind.NoSuchProcess"/>). One that ends after that, while it is dumped, whatever either route
    /// then met, is <see cref="ExitedMeanwhile"/> (<see cref="DoctorErrorKind.DumpFailed"/>): before, it read as a runtime
    /// mismatch (the core written here had the dead process's pages as zeros), as "not a .NET process" (the runtime's
    /// route, tried after, found no live endpoint), or as no such process.</remarks>
    internal static async Task<((string Path, string Directory, SafeFileHandle? File) Capture, string? Route)> CaptureWithRouteAsync(int processId, DoctorOptions options, CancellationToken cancellationToken)
    {
        var first = TargetProcess.Read(processId);
        if (first.IsDead)
        {
            throw new DoctorException(DoctorErrorKind.NoSuchProcess,
                $"process {processId} ({first.Name}) has already exited (its parent has not yet collected its exit status): there is nothing to diagnose");
        }

        try
        {
            return await CaptureLiveAsync(first, options, cancellationToken).ConfigureAwait(false);
        }
        catch (DoctorException e) when (!IsExitedMeanwhile(e) && first.HasEnded())
        {
            throw ExitedMeanwhile(first, e);
        }
    }

    /// <summary>The failure of a dump whose process ended while it was written (review 68): the docs' exit code 1 (the dump
    /// failed), not bad input, and nothing else about the process is claimed.</summary>
    internal static DoctorException ExitedMeanwhile(TargetProcess target, Exception? cause) =>
        cause is null
            ? new(DoctorErrorKind.DumpFailed, $"process {target.Id} ({target.Name}) {ExitedWords}")
            : new(DoctorErrorKind.DumpFailed, $"process {target.Id} ({target.Name}) {ExitedWords}", cause);

    private const string ExitedWords = "exited while its dump was being written: nothing to diagnose; run brigade doctor again on a live process";

    private static bool IsExitedMeanwhile(DoctorException e) => e.Kind == DoctorErrorKind.DumpFailed && e.Message.EndsWith(ExitedWords, StringComparison.Ordinal);

    private static async Task<((string Path, string Directory, SafeFileHandle? File) Capture, string? Route)> CaptureLiveAsync(TargetProcess first, DoctorOptions options, CancellationToken cancellationToken)
    {
        var processId = first.Id;

        // Review 57: a core file written here when this process may ptrace the target (no createdump, ~0.4 s of CPU less);
        // the runtime's createdump otherwise, or when anything goes wrong. A kept dump stays createdump's (dotnet-dump reads it).
        if (options.KeepDumpPath is null && await TryCaptureByPtraceAsync(first, options, cancellationToken).ConfigureAwait(false) is { } written)
        {
            return (written, null);
        }

        RouteForTests.Value?.Enqueue("runtime");
        var unnamed = options.KeepDumpPath is null && CanWriteUnnamed(processId);
        if (!unnamed)
        {
            Trace("dump: named (the target's createdump cannot open this process's descriptors, or the dump is kept)");
            return (await CaptureCoreAsync(processId, options, synchronous: false, unnamed: false, createDirectory: null, cancellationToken).ConfigureAwait(false), null);
        }

        try
        {
            var capture = await CaptureCoreAsync(processId, options, synchronous: false, unnamed: true, createDirectory: null, cancellationToken).ConfigureAwait(false);
            Trace("dump: unnamed (through this process's descriptor)");
            return (capture, null);
        }
        catch (DoctorException refused) when (refused.Kind is DoctorErrorKind.DumpFailed or DoctorErrorKind.PtraceForbidden && !cancellationToken.IsCancellationRequested)
        {
            // The runtime answered (a stopped or hung process times out instead, and a dump that was not refused but slow
            // is not taken twice): its createdump could not write through the descriptor. The named dump works everywhere.
            var why = refused.Message.ReplaceLineEndings(" ").Trim();
            Trace($"dump: unnamed refused ({why}); taking a named one");
            var capture = await CaptureCoreAsync(processId, options, synchronous: false, unnamed: false, createDirectory: null, cancellationToken).ConfigureAwait(false);
            return (capture, $"the dump with no name (written through /proc/{Environment.ProcessId}/fd) was refused ({why}); a named dump in {Path.GetDirectoryName(capture.Path)} was used instead, deleted when the diagnosis ended");
        }
    }

    /// <summary>Test seam (review 49): when set (in the test's async flow only), the unnamed dump is asked for at a path
    /// the target's <c>createdump</c> cannot open, as a security module or a <c>hidepid</c> <c>/proc</c> would refuse it.</summary>
    internal static readonly AsyncLocal<bool> RefuseUnnamedForTests = new();

    /// <summary>Test seam (review 50): when set (in the test's async flow, which a thread started in it inherits), runs
    /// just before the runtime is asked for the dump, its directory made: a test makes the dump slow (it blocks here) or
    /// fail (it throws), with no dump written.</summary>
    internal static readonly AsyncLocal<Action?> BeforeDumpForTests = new();

    /// <summary>Test seam (review 57): when set (in the test's async flow), the dump is taken the runtime's way, as before review 57.</summary>
    internal static readonly AsyncLocal<bool> ForceRuntimeDumpForTests = new();

    /// <summary>Test seam (review 57): seams of the core file written here (<see cref="PtraceCore.Seams"/>).</summary>
    internal static readonly AsyncLocal<PtraceCore.Seams?> PtraceSeamsForTests = new();

    /// <summary>Test seam (review 57): when set, each capture adds the way it was taken: <c>ptrace</c> or <c>runtime</c>.</summary>
    internal static readonly AsyncLocal<System.Collections.Concurrent.ConcurrentQueue<string>?> RouteForTests = new();

    private static void Trace(string what) => Analysis.DumpAnalyzer.Mark(what);

    /// <summary>
    /// Review 57: writes the core file here (<see cref="PtraceCore"/>) into a file with no name, when this process may
    /// ptrace the target (root or CAP_SYS_PTRACE, <c>kernel.yama.ptrace_scope</c> 0, or the target is a descendant under
    /// scope 1: <c>PTRACE_SEIZE</c> is simply tried). Null when it was not (ptrace refused, a target that is stopped,
    /// traced, not .NET, another user's, x64 not, any failure, or not within the dump's timeout): the runtime's
    /// <c>createdump</c> is asked then, as before, and says what is wrong if anything is. Throws when cancelled, and (review
    /// 68) when the process ended while it was read (<see cref="ExitedMeanwhile"/>): a read refused because the process is
    /// gone is no unreadable page, and the runtime's route has nothing to ask then.
    /// </summary>
    private static async Task<(string Path, string Directory, SafeFileHandle? File)?> TryCaptureByPtraceAsync(TargetProcess first, DoctorOptions options, CancellationToken cancellationToken)
    {
        var processId = first.Id;
        // The seams of the runtime's route (review 49, 50) are that route's: tests that set them test it.
        if (!OperatingSystem.IsLinux() || !PtraceCore.Supported || processId == Environment.ProcessId || ForceRuntimeDumpForTests.Value || RefuseUnnamedForTests.Value || BeforeDumpForTests.Value is not null)
        {
            return null;
        }

        TargetProcess target;
        object? reaperLock = null;
        try
        {
            target = TargetProcess.Read(processId);
            var me = Native.EffectiveUserId();
            if ((me != 0 && target.UserId != me) || target.State is 'T' or 't' or 'Z' or 'X' || target.TracerId != 0
                || (target.HasDiagnosticsEndpoint(Path.GetTempPath()) ?? DiagnosticsClient.GetPublishedProcesses().Contains(processId)) != true
                || target.LoadsCoreClr() != true)
            {
                // Another user's, stopped, traced, a zombie, not .NET (a socket named as a runtime's is not enough) or no
                // diagnostics: the usual route says which.
                Trace($"dump: not written here (process state {target.State}, tracer {target.TracerId})");
                return null;
            }

            if (ParentOf(processId) == Environment.ProcessId)
            {
                reaperLock = ChildReaperLock();
                if (reaperLock is null)
                {
                    Trace("dump: not written here (this process's child, and .NET's reaping lock was not found)");
                    return null;
                }
            }
        }
        catch (Exception e) when (e is DoctorException or IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var directory = Path.Combine(options.DumpDirectory ?? DefaultDirectory(target), $"brigade-doctor-{processId}-{Guid.NewGuid():N}");
        SafeFileHandle? file = null;
        var written = false;
        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var named = Path.Combine(directory, $"core.{processId}.dmp");
            file = File.OpenHandle(named, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
            File.Delete(named);
            Directory.Delete(directory);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.DumpTimeout);
            var seams = PtraceSeamsForTests.Value;
            var handle = file;
            string? why;
            try
            {
                why = await OnThreadOfItsOwn(() => PtraceCore.Write(processId, handle, reaperLock, seams, timeout.Token)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                why = $"not written within {Waited(options.DumpTimeout)}";
            }

            if (first.HasEnded())
            {
                // Also when the core was written: the process died as it was read, or right after (a page read as zeros
                // because it was already gone would read as a runtime mismatch).
                Trace($"dump: the process ended while it was read ({why ?? "the core was written"})");
                throw ExitedMeanwhile(first, null);
            }

            if (why is not null)
            {
                Trace($"dump: not written here ({why}); asking the runtime");
                return null;
            }

            written = true;
            Trace("dump: written here (ptrace)");
            RouteForTests.Value?.Enqueue("ptrace");
            return ($"/proc/{Environment.ProcessId}/fd/{file.DangerousGetHandle()}", directory, file);
        }
        catch (Exception e) when (e is not OperationCanceledException && !(e is DoctorException d && IsExitedMeanwhile(d)))
        {
            // A read refused with ESRCH (PtraceCore.TargetExitedException) says so too; /proc decides.
            if (first.HasEnded())
            {
                Trace($"dump: the process ended while it was read ({e.GetType().Name}: {e.Message})");
                throw ExitedMeanwhile(first, e);
            }

            Trace($"dump: not written here ({e.GetType().Name}: {e.Message}); asking the runtime");
            return null;
        }
        finally
        {
            if (!written)
            {
                file?.Dispose();
                TryDelete(directory);
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own, which ends with it (ptrace's tracees are a thread's:
    /// whatever it did not let go is let go when it ends).</summary>
    private static Task<T> OnThreadOfItsOwn<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        { IsBackground = true, Name = "brigade-core-writer" };
        thread.Start();
        return done.Task;
    }

    /// <summary>The parent of the process (<c>PPid:</c>), or 0.</summary>
    private static int ParentOf(int processId)
    {
        var line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("PPid:", StringComparison.Ordinal));
        return line is not null && int.TryParse(line[5..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : 0;
    }

    /// <summary>The lock under which .NET's <c>Process</c> reaps its children on SIGCHLD (<c>ProcessWaitState</c>'s table of
    /// children), or null when this runtime has none by that name.</summary>
    private static object? ChildReaperLock() =>
        typeof(System.Diagnostics.Process).Assembly.GetType("System.Diagnostics.ProcessWaitState")
            ?.GetField("s_childProcessWaitStates", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            ?.GetValue(null);

    /// <summary>Whether the target's <c>createdump</c> (a child of the target, as its user) can open
    /// <c>/proc/THIS/fd/N</c>: the same effective user and the same PID and mount namespaces (a target in a container sees
    /// another <c>/proc</c>). Unknown reads as no: the named dump works everywhere.</summary>
    internal static bool CanWriteUnnamed(int processId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var target = TargetProcess.Read(processId);
            return target.UserId == Native.EffectiveUserId()
                && SameLink($"/proc/{processId}/ns/pid", "/proc/self/ns/pid") && SameLink($"/proc/{processId}/ns/mnt", "/proc/self/ns/mnt");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DoctorException)
        {
            return false;
        }

        static bool SameLink(string a, string b) =>
            new FileInfo(a).LinkTarget is { } left && new FileInfo(b).LinkTarget is { } right && string.Equals(left, right, StringComparison.Ordinal);
    }

    /// <summary>Deletes what processes killed while they held a named dump left (<see cref="SweepStale(IEnumerable{string}, TimeSpan)"/>)
    /// in the default dump directories and <paramref name="dumpDirectory"/>: run at the start of the live watch and, since
    /// review 48, of every <c>brigade doctor --pid</c>.</summary>
    /// <returns>How many were deleted.</returns>
    internal static int SweepStale(string? dumpDirectory)
    {
        var roots = new List<string> { "/dev/shm", Path.GetTempPath() };
        if (dumpDirectory is not null)
        {
            roots.Add(dumpDirectory);
        }

        return SweepStale(roots, StaleDumpAge);
    }

    /// <summary>Takes the dump without touching the thread pool (for a process diagnosing itself, whose pool may be starved).</summary>
    /// <param name="processId">The process.</param>
    /// <param name="options">Where the dump goes.</param>
    /// <param name="createDirectory">Makes the dump's private directory: called with its path and the action that creates
    /// it, which it calls when it has recorded the path, under the same lock (the live watch, which deletes the directory
    /// if the process exits meanwhile: created before it was recorded, it outlived a process that exited in between, review
    /// 46); throwing from it abandons the dump. Null: the directory is simply created.</param>
    public static (string Path, string Directory) Capture(int processId, DoctorOptions options, Action<string, Action>? createDirectory = null)
    {
        var (path, directory, _) = CaptureSynchronously(processId, options, createDirectory, unnamed: false);
        return (path, directory);
    }

    /// <summary>
    /// Dumps this process (the live watch) into a file with no name: created in its private directory, opened, and
    /// unlinked with that directory before the dump is asked for; the runtime's <c>createdump</c> writes it through this
    /// process's descriptor (<c>/proc/PID/fd/N</c>), and the analysis reads it the same way. Nothing is left in the file
    /// system however the process ends: the kernel frees the file when its last descriptor closes (this process's, and
    /// <c>createdump</c>'s). Review 47: a watched program killed by SIGTERM during a diagnosis left its whole dump (~140
    /// MB) in <c>/dev/shm</c>: .NET 10 runs no <c>ProcessExit</c> on a signal's default action, where the watch deleted it.
    /// </summary>
    /// <param name="processId">This process's id.</param>
    /// <param name="options">Where the dump goes while it has a name (the directory's room is checked as for any dump).</param>
    /// <param name="createDirectory">As for <see cref="Capture"/>; the named moment (directory and file made, then
    /// unlinked) runs inside the action it is given.</param>
    /// <returns>The path to read the dump by, and the descriptor that keeps it: dispose it once the analysis is over.</returns>
    public static (string Path, SafeFileHandle File) CaptureUnnamed(int processId, DoctorOptions options, Action<string, Action>? createDirectory = null)
    {
        var (path, _, file) = CaptureSynchronously(processId, options, createDirectory, unnamed: true);
        return (path, file!);
    }

    private static (string Path, string Directory, SafeFileHandle? File) CaptureSynchronously(int processId, DoctorOptions options, Action<string, Action>? createDirectory, bool unnamed)
    {
        var task = CaptureCoreAsync(processId, options, synchronous: true, unnamed, createDirectory, CancellationToken.None);
        return task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("the synchronous capture went asynchronous");
    }

    private static async Task<(string Path, string Directory, SafeFileHandle? File)> CaptureCoreAsync(int processId, DoctorOptions options, bool synchronous, bool unnamed, Action<string, Action>? createDirectory, CancellationToken cancellationToken)
    {
        var target = TargetProcess.Read(processId);
        var me = Native.EffectiveUserId();
        if (me != 0 && target.UserId != me)
        {
            throw new DoctorException(DoctorErrorKind.PermissionDenied,
                $"permission denied: process {processId} ({target.Name}) runs as {TargetProcess.UserName(target.UserId)} and this runs as {TargetProcess.UserName(me)}: " +
                $"run brigade doctor as that user (sudo -u {TargetProcess.UserName(target.UserId)} ...) or as root");
        }

        // A socket of an earlier process that had this id (killed before it removed it) is not this one's endpoint.
        var published = target.HasDiagnosticsEndpoint(Path.GetTempPath()) ?? DiagnosticsClient.GetPublishedProcesses().Contains(processId);
        if (!published)
        {
            throw target.LoadsCoreClr() switch
            {
                false => new DoctorException(DoctorErrorKind.NotDotNet, $"process {processId} ({target.Name}) is not a .NET process"),
                true => new DoctorException(DoctorErrorKind.DiagnosticsDisabled,
                    $"process {processId} ({target.Name}) runs .NET but has no diagnostics endpoint in {Path.GetTempPath()}: it was started with DOTNET_EnableDiagnostics=0, or with another TMPDIR (run brigade doctor with the same TMPDIR)"),
                null => new DoctorException(DoctorErrorKind.NotDotNet, $"process {processId} ({target.Name}) has no .NET diagnostics endpoint: it is not a .NET process, or it disabled diagnostics"),
            };
        }

        if (target.IsStopped)
        {
            throw Stopped(target);
        }

        var directory = Path.Combine(options.DumpDirectory ?? DefaultDirectory(target), $"brigade-doctor-{processId}-{Guid.NewGuid():N}");
        void Create()
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            if (me == 0 && target.UserId != 0 && !Native.ChangeOwner(directory, target.UserId, target.GroupId))
            {
                TryDelete(directory);
                throw new DoctorException(DoctorErrorKind.PermissionDenied, $"could not give the dump directory {directory} to {TargetProcess.UserName(target.UserId)}, the user of process {processId}");
            }
        }

        var path = Path.Combine(directory, $"core.{processId}.dmp");
        SafeFileHandle? file = null;
        void CreateUnnamed()
        {
            Create();
            file = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
            File.Delete(path);
            Directory.Delete(directory);

            // createdump runs as a child of the target, this process when the file has no name.
            path = RefuseUnnamedForTests.Value
                ? $"/proc/{Environment.ProcessId}/fd/{file.DangerousGetHandle()}/refused"
                : $"/proc/{Environment.ProcessId}/fd/{file.DangerousGetHandle()}";
        }

        try
        {
            if (createDirectory is null)
            {
                (unnamed && OperatingSystem.IsLinux() ? CreateUnnamed : (Action)Create)();
            }
            else
            {
                createDirectory(directory, unnamed && OperatingSystem.IsLinux() ? CreateUnnamed : Create);
            }

            BeforeDumpForTests.Value?.Invoke();
            if (synchronous)
            {
                // Only the live watch dumps synchronously, and it dumps its own process.
                DumpSelf(target, path, options.DumpTimeout);
            }
            else
            {
                var client = new DiagnosticsClient(processId);
                // The runtime answers once createdump has written the dump; a stopped or hung process never answers.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.DumpTimeout);
                try
                {
                    await client.WriteDumpAsync(DumpType.WithHeap, path, logDumpGeneration: false, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw NotAnswering(target, path, options.DumpTimeout, e);
                }
            }
        }
        catch (DoctorException)
        {
            file?.Dispose();
            TryDelete(directory);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StopCreateDump(target, path);
            file?.Dispose();
            TryDelete(directory);
            throw Explain(e, target);
        }
        catch
        {
            // Cancelled (Ctrl+C): no dump writer is left behind.
            StopCreateDump(target, path);
            file?.Dispose();
            TryDelete(directory);
            throw;
        }

        if (file is null ? !File.Exists(path) : RandomAccess.GetLength(file) == 0)
        {
            file?.Dispose();
            TryDelete(directory);
            throw new DoctorException(DoctorErrorKind.DumpFailed, NoDumpWrittenMessage(processId, path));
        }

        return (path, directory, file);
    }

    /// <summary>
    /// Dumps this process (the live watch) within <paramref name="timeout"/>, on the calling thread and threads of its own
    /// (never the thread pool, which a watched program may have starved). Review 52: with the runtime's <c>createdump</c>
    /// started here (<see cref="CreateDumpChild"/>), which prints nothing on the program's standard output; before, the
    /// runtime's own printed five lines there per dump, and the synchronous request had no timeout (a createdump that
    /// hung kept the watch's thread forever). Where that createdump is not found, or fails for a reason other than the
    /// dump file's (under Yama, say, if it attached before it was named this process's tracer), the runtime is asked, as
    /// before, and that request is bounded too.
    /// </summary>
    private static void DumpSelf(TargetProcess target, string path, TimeSpan timeout)
    {
        if (target.Id == Environment.ProcessId && CreateDumpChild.Find() is { } program)
        {
            CreateDumpChild.Outcome outcome;
            try
            {
                outcome = CreateDumpChild.Run(program, target.Id, path, timeout);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                // It could not be started (a file system mounted noexec, say): the runtime may still start its own.
                Trace($"dump: createdump could not be started here ({e.Message}); asking the runtime");
                WriteThroughRuntime(target, path, timeout);
                return;
            }

            var errors = outcome.Errors.ReplaceLineEndings(" ").Trim();
            if (outcome.Stopped)
            {
                throw new DoctorException(DoctorErrorKind.DumpFailed, $"the dump of process {target.Id} was stopped: the live watch was disposed");
            }

            if (!outcome.Finished)
            {
                throw new DoctorException(DoctorErrorKind.NotResponding,
                    $"the runtime's createdump (process {outcome.ProcessId}) did not finish the dump of process {target.Id} ({target.Name}) within {Waited(timeout)} while the process ran; it was stopped{(errors.Length > 0 ? $" ({errors})" : "")}");
            }

            if (outcome.ExitCode == 0)
            {
                return;
            }

            var message = errors.Length > 0 ? errors : string.Create(CultureInfo.InvariantCulture, $"createdump exited with code {outcome.ExitCode}");
            if (FileCause(message) is not null)
            {
                // Its dump file's trouble: the runtime's createdump would meet it too.
                throw new DoctorException(DoctorErrorKind.DumpFailed, DumpFailedMessage(target.Id, message, fromRuntime: true, InContainer()));
            }

            Trace($"dump: createdump started by this process failed ({message}); asking the runtime");
        }

        WriteThroughRuntime(target, path, timeout);
    }

    /// <summary>Asks this process's runtime for its dump, on a thread of its own, and gives up after
    /// <paramref name="timeout"/> of this process's running time (stopping the runtime's createdump, whose failure then
    /// ends that thread's request; a runtime that never answers leaves that thread waiting, in the background).</summary>
    private static void WriteThroughRuntime(TargetProcess target, string path, TimeSpan timeout)
    {
        Exception? failure = null;
        var request = new Thread(() =>
        {
            try
            {
                new DiagnosticsClient(target.Id).WriteDump(DumpType.WithHeap, path, logDumpGeneration: false);
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "brigade-dump-request" };
        request.Start();
        if (!CreateDumpChild.WaitWhileRunning(request.Join, timeout))
        {
            throw NotAnswering(target, path, timeout, new TimeoutException($"no dump within {Waited(timeout)}"));
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static string Waited(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalSeconds:0.#} s")
            : string.Create(CultureInfo.InvariantCulture, $"{timeout.TotalMilliseconds:0} ms");

    private static DoctorException Stopped(TargetProcess target) =>
        new(DoctorErrorKind.NotResponding,
            $"process {target.Id} ({target.Name}) is stopped (kill -STOP, or Ctrl+Z in its terminal): it cannot write a dump while stopped; resume it with `kill -CONT {target.Id}` and run brigade doctor again");

    /// <summary>Explains a dump that did not come within the timeout, after stopping the runtime's <c>createdump</c> if it was writing.</summary>
    private static DoctorException NotAnswering(TargetProcess target, string path, TimeSpan timeout, Exception cause)
    {
        var writing = StopCreateDump(target, path, out var blockedOnPipe);
        if (target.HasEnded())
        {
            return ExitedMeanwhile(target, cause);
        }

        var now = target.Refresh();
        var waited = Waited(timeout);
        if (now.IsStopped)
        {
            return new DoctorException(DoctorErrorKind.NotResponding, Stopped(now).Message, cause);
        }

        if (now.State == 't' && now.TracerId > 0)
        {
            return new DoctorException(DoctorErrorKind.NotResponding,
                $"process {target.Id} ({target.Name}) does not answer on its diagnostics endpoint: a debugger holds it stopped (process {now.TracerId}, {TargetProcess.CommandLine(now.TracerId) ?? "?"}); let it run, or detach, and run brigade doctor again", cause);
        }

        if (writing && blockedOnPipe)
        {
            // Review 45: createdump writes its progress lines to the target's standard output; when that is a pipe nobody
            // reads (a program piped into a reader that stopped), createdump blocks on it, and so, most likely, does the
            // program itself (a thread in Console.Write, holding Console.Out's lock, the others behind it).
            return new DoctorException(DoctorErrorKind.NotResponding,
                $"process {target.Id} ({target.Name}) could not be dumped: the runtime's createdump blocked writing its progress lines to the process's standard output, a full pipe that nothing reads (the dump was stopped). " +
                $"The program is most likely stuck on it too: a thread writing to the console blocks, holding Console.Out's lock, and every other Console.Write waits behind it. Make the reader at the pipe's other end read again; to see the threads, take a core file (`echo 0x3f > /proc/{target.Id}/coredump_filter; gcore {target.Id}`) and read it with brigade doctor --dump", cause);
        }

        if (writing)
        {
            var size = now.ResidentBytes is { } bytes ? $" ({bytes >> 20} MB resident)" : "";
            return new DoctorException(DoctorErrorKind.NotResponding,
                $"process {target.Id} ({target.Name}) did not finish writing its dump within {waited}{size}; the dump was stopped: give it more time with --timeout (DoctorOptions.DumpTimeout)", cause);
        }

        return new DoctorException(DoctorErrorKind.NotResponding,
            $"process {target.Id} ({target.Name}) does not answer on its diagnostics endpoint (waited {waited}): stopped? `kill -CONT {target.Id}`; otherwise its runtime is hung: take a core file (`echo 0x3f > /proc/{target.Id}/coredump_filter; gcore {target.Id}`) and read it with brigade doctor --dump", cause);
    }

    /// <summary>Kills the runtime's <c>createdump</c> writing <paramref name="path"/>, if it runs (a child of the target,
    /// as the target's user); returns whether one was running.</summary>
    private static bool StopCreateDump(TargetProcess target, string path) => StopCreateDump(target, path, out _);

    /// <summary>As <see cref="StopCreateDump(TargetProcess, string)"/>; <paramref name="blockedOnPipe"/> says whether it was
    /// blocked writing to a pipe (its kernel wait channel, read before it is stopped: <c>pipe_write</c>).</summary>
    private static bool StopCreateDump(TargetProcess target, string path, out bool blockedOnPipe)
    {
        var found = false;
        blockedOnPipe = false;
        foreach (var child in target.Children())
        {
            if (TargetProcess.CommandLine(child) is { } command && command.Contains("createdump", StringComparison.Ordinal) && command.Contains(path, StringComparison.Ordinal))
            {
                found = true;
                blockedOnPipe |= WaitChannel(child)?.Contains("pipe_write", StringComparison.Ordinal) == true;
                try
                {
                    using var process = System.Diagnostics.Process.GetProcessById(child);
                    process.Kill();
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
                {
                    // It ended meanwhile, or is not ours to kill.
                }
            }
        }

        return found;
    }

    /// <summary>The kernel function a process sleeps in (<c>/proc/PID/wchan</c>), or null when it cannot be read.</summary>
    private static string? WaitChannel(int processId)
    {
        try
        {
            return File.ReadAllText($"/proc/{processId}/wchan");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Memory-backed <c>/dev/shm</c> when it has room for the dump with a wide margin (a dump is about the process's
    /// resident size, and the file lives only until the analysis ends): writing it there skips the disk. Otherwise the
    /// temporary directory.
    /// </summary>
    private static string DefaultDirectory(TargetProcess target)
    {
        const string Shm = "/dev/shm";
        try
        {
            if (Directory.Exists(Shm) && target.ResidentBytes is { } resident && new DriveInfo(Shm).AvailableFreeSpace > EstimatedDumpBytes(target, resident) + (256L << 20))
            {
                return Shm;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // No usable /dev/shm: the temporary directory.
        }

        return Path.GetTempPath();
    }

    /// <summary>Room a dump of the process may need: four times its resident memory, or its writable mappings (every
    /// thread's whole stack: a process with hundreds of threads) and an eighth more, whichever is larger.</summary>
    internal static long EstimatedDumpBytes(TargetProcess target, long resident)
    {
        var writable = target.WritableMappingBytes() ?? 0;
        return Math.Max(4 * resident, writable + (writable / 8));
    }

    /// <summary>
    /// Deletes the dump directories (<c>brigade-doctor-PID-*</c>) in <paramref name="directories"/> whose process has
    /// ended and that nothing wrote for <paramref name="minimumAge"/>: what a process killed while it held a named dump
    /// left (a watch before review 47, killed by a signal; a <c>brigade doctor</c> killed by a second one). The age keeps
    /// a dump of a target that just exited, which a <c>brigade doctor</c> may still be reading or moving (--keep-dump).
    /// </summary>
    /// <returns>How many were deleted.</returns>
    internal static int SweepStale(IEnumerable<string> directories, TimeSpan minimumAge)
    {
        var deleted = 0;
        var now = DateTime.UtcNow;
        foreach (var root in directories.Distinct(StringComparer.Ordinal))
        {
            IEnumerable<string> entries;
            try
            {
                entries = Directory.Exists(root) ? Directory.EnumerateDirectories(root, "brigade-doctor-*").ToList() : [];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var parts = Path.GetFileName(entry).Split('-');
                if (parts.Length != 4 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || parts[3].Length != 32
                    || Directory.Exists($"/proc/{pid}"))
                {
                    continue;
                }

                try
                {
                    var latest = Directory.EnumerateFiles(entry).Select(File.GetLastWriteTimeUtc).Append(Directory.GetLastWriteTimeUtc(entry)).Max();
                    if (now - latest < minimumAge)
                    {
                        continue;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                TryDelete(entry);
                deleted += Directory.Exists(entry) ? 0 : 1;
            }
        }

        return deleted;
    }

    public static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover private temporary directory is not worth failing the diagnosis for.
        }
    }

    private static DoctorException Explain(Exception e, TargetProcess target)
    {
        if (target.HasEnded())
        {
            return ExitedMeanwhile(target, e);
        }

        if (e is UnauthorizedAccessException || (e is SocketException { SocketErrorCode: SocketError.AccessDenied }) || e.InnerException is UnauthorizedAccessException)
        {
            return new DoctorException(DoctorErrorKind.PermissionDenied,
                $"permission denied connecting to process {target.Id}'s diagnostics endpoint (it runs as {TargetProcess.UserName(target.UserId)}): run brigade doctor as that user or as root", e);
        }

        // Review 50: a failure that names another cause (the file could not be made, the disk is full) happened after
        // createdump had attached, so ptrace worked: it is no longer blamed on ptrace because ptrace is restricted here.
        var message = e.Message.ReplaceLineEndings(" ").Trim();
        var fromRuntime = e is ServerErrorException;
        if (PtraceMayBeTheCause(message, fromRuntime) && PtraceForbidden() is { } why)
        {
            return new DoctorException(DoctorErrorKind.PtraceForbidden, $"the runtime could not write a dump of process {target.Id}: {why}", e);
        }

        return new DoctorException(DoctorErrorKind.DumpFailed, DumpFailedMessage(target.Id, message, fromRuntime, InContainer()), e);
    }

    /// <summary>
    /// Says why a dump failed, from the error the runtime returned (<paramref name="fromRuntime"/>: its createdump's own
    /// lines, such as <c>[createdump] Could not create output file '...': Read-only file system (30)</c>) or the error of the
    /// diagnostics connection. Review 50: every failure ended with "in a container, ptrace must be allowed", a full disk or
    /// a read-only directory included; the hint now comes only where ptrace can be the cause (createdump's error does not
    /// name another one).
    /// </summary>
    internal static string DumpFailedMessage(int processId, string message, bool fromRuntime, bool inContainer)
    {
        if (!fromRuntime)
        {
            // The runtime never answered with an error of its own: the request or its answer was lost on the way.
            return $"could not get a dump of process {processId}: the diagnostics connection to its runtime failed ({message})";
        }

        if (FileCause(message) is { } cause)
        {
            return $"the runtime of process {processId} failed to write a dump: {cause} ({message})";
        }

        var hint = !inContainer ? ""
            : PtraceNamed(message) ? "; in a container, ptrace must be allowed: run it with --cap-add=SYS_PTRACE"
            : "; if ptrace was refused (in a container, it must be allowed: run it with --cap-add=SYS_PTRACE)";
        return $"the runtime of process {processId} failed to write a dump ({message}){hint}";
    }

    /// <summary>Whether ptrace can be why the dump failed: the runtime's error names no trouble with the dump file (which
    /// createdump meets only after it attached, so with ptrace working), and it is the runtime's (a lost connection is not ptrace's).</summary>
    internal static bool PtraceMayBeTheCause(string message, bool fromRuntime) =>
        fromRuntime && FileCause(message) is null;

    /// <summary>The message of a dump the runtime reported written but that is not there: not ptrace's doing (a refused
    /// ptrace makes the runtime report a failure, not a dump).</summary>
    internal static string NoDumpWrittenMessage(int processId, string path) =>
        $"the runtime of process {processId} reported a dump but wrote none to {path}: the file is missing or empty (something deleted or replaced it meanwhile, or the runtime's createdump could not open that path)";

    private static bool PtraceNamed(string message) => message.Contains("ptrace", StringComparison.OrdinalIgnoreCase);

    /// <summary>The dump file's trouble that createdump's error names (its lines end with <c>strerror</c> and the errno),
    /// in the user's words with what to do; null when it names none.</summary>
    private static string? FileCause(string message)
    {
        if (message.Contains("No space left on device", StringComparison.Ordinal) || message.Contains("Disk quota exceeded", StringComparison.Ordinal))
        {
            return "the dump's file system is full (a dump is about the process's resident size plus its threads' stacks): free room there, or give another directory (DoctorOptions.DumpDirectory)";
        }

        var creating = message.Contains("Could not create output file", StringComparison.Ordinal) || message.Contains("Could not open output", StringComparison.Ordinal);
        if (creating && message.Contains("Read-only file system", StringComparison.Ordinal))
        {
            return "the dump file could not be created: its directory is on a read-only file system; give another directory (DoctorOptions.DumpDirectory)";
        }

        if (creating && message.Contains("Permission denied", StringComparison.Ordinal))
        {
            return "the dump file could not be created: the process's user may not write to its directory (createdump runs as that user)";
        }

        if (creating && message.Contains("No such file or directory", StringComparison.Ordinal))
        {
            return "the dump file could not be created: its directory does not exist (deleted meanwhile?)";
        }

        if (creating)
        {
            return "the dump file could not be created";
        }

        return message.Contains("Error writing data to dump file", StringComparison.Ordinal) || message.Contains("Writing dump FAILED", StringComparison.Ordinal)
            ? "writing the dump file failed"
            : null;
    }

    /// <summary>Says why ptrace (which the runtime's createdump needs) is forbidden here, or null when nothing shows it is.</summary>
    internal static string? PtraceForbidden() =>
        ExplainPtrace(ReadTrimmed("/proc/sys/kernel/yama/ptrace_scope"), InContainer(), HasPtraceCapability());

    /// <summary>Says why ptrace is forbidden given the Yama scope, whether this runs in a container and whether it has CAP_SYS_PTRACE; null when nothing says it is.</summary>
    internal static string? ExplainPtrace(string? scope, bool container, bool hasPtraceCapability) =>
        scope switch
        {
            "3" => "ptrace is disabled on this machine (kernel.yama.ptrace_scope = 3, which only a reboot undoes); createdump needs it",
            "2" when container => "this container forbids ptrace (kernel.yama.ptrace_scope = 2 and no CAP_SYS_PTRACE), which createdump needs: run the container with --cap-add=SYS_PTRACE",
            "2" => "ptrace is restricted to administrators (kernel.yama.ptrace_scope = 2), which createdump needs: run as root, or set kernel.yama.ptrace_scope to 1",
            _ when container && !hasPtraceCapability => "this container forbids ptrace, which createdump needs: run the container with --cap-add=SYS_PTRACE (and a seccomp profile that allows ptrace)",
            _ => null,
        };

    internal static bool InContainer()
    {
        if (File.Exists("/.dockerenv") || File.Exists("/run/.containerenv"))
        {
            return true;
        }

        var cgroup = ReadTrimmed("/proc/1/cgroup") ?? "";
        return cgroup.Contains("docker", StringComparison.Ordinal) || cgroup.Contains("kubepods", StringComparison.Ordinal) || cgroup.Contains("containerd", StringComparison.Ordinal);
    }

    private static bool HasPtraceCapability()
    {
        // CAP_SYS_PTRACE is capability 19 in the effective set.
        var line = (ReadTrimmed("/proc/self/status") ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        return line is not null && ulong.TryParse(line[7..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var caps) && (caps & (1UL << 19)) != 0;
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
