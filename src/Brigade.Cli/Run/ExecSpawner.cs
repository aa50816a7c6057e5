using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Brigade.Auto;
using Brigade.Engines;

namespace Brigade.Cli.Run;

/// <summary>
/// Starts commands on Linux without a wrapper: <c>posix_spawnp</c> of the program itself when the command needs no
/// shell (<see cref="ExecCommandLine"/>), of <c>/bin/sh -c</c> otherwise, in a session and process group of its own
/// (<c>POSIX_SPAWN_SETSID</c>), stdin <c>/dev/null</c>, stdout and stderr to pipes watched by
/// <see cref="ExecEventLoop"/>, the exit status and CPU time from <c>wait4</c>.
/// </summary>
/// <remarks>
/// <para>.NET's own SIGCHLD handling reaps only the children it started through <see cref="Process"/>; this class
/// reaps its own. .NET reaps every child when it runs as pid 1 (a container's init) or when SIGCHLD was ignored when it
/// started: there, and where pidfds or epoll are missing (Linux before 5.3), <see cref="IsAvailable"/> is false and
/// <see cref="ExecRunner"/> starts commands through <see cref="Process"/> as before.</para>
/// <para>SIGPIPE, which the .NET runtime ignores, is back to its default in the command (as under a shell or
/// <c>xargs</c>): a command writing into a closed pipe ends quietly.</para>
/// </remarks>
internal static class ExecSpawner
{
    /// <summary>Set to <c>process</c>, commands start through <see cref="Process"/> and a wrapper shell as before (for comparison and as a way out).</summary>
    public const string SwitchVariable = "BRIGADE_EXEC_SPAWN";

    private static readonly Lazy<bool> Available = new(Probe);
    private static readonly Lazy<bool> NativeReady = new(Prepare);
    private static readonly ProgramPathCache Paths = new();

    // How long a killed command's output may stay open while its group still has a process alive (one stuck in the
    // kernel dies late); and, once none is left, how long the event loop gets to read the group's last bytes.
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PipeGrace = TimeSpan.FromMilliseconds(100);
    private static long _nextId;

    // KillWait for the calls made in a test's own flow (as ExecRunner.KilledOutputWaitOverride on the Process path): a
    // test lengthens it so that a bound on an attempt that should not wait it out sits far from it. Null: KillWait.
    internal static readonly AsyncLocal<TimeSpan?> KillWaitOverride = new();

    // The PATH commands get (taken with the environment): where a program named without a '/' is searched.
    private static string? _searchPath;

    // Spawn attributes, built once and only read afterwards: a new session and default SIGPIPE (commands), default
    // SIGPIPE only (helpers such as the reaper).
    private static unsafe void* _commandAttributes;
    private static unsafe void* _helperAttributes;

    // The environment, taken once: "NAME=value\0" strings and a pointer to each.
    private static unsafe byte** _environment;
    private static int _environmentCount;

    /// <summary>Gets whether commands can start this way here (Linux, not pid 1, SIGCHLD not ignored, pidfds and epoll present).</summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>Runs the command; returns its stdout, the CPU time it used (its process and the children it waited for) and
    /// its first process's time waiting for a core.</summary>
    /// <exception cref="ExecFailedException">The command failed, timed out, or could not start.</exception>
    /// <exception cref="OperationCanceledException">The run was interrupted: the command was stopped (or killed by the same interrupt) and did not finish.</exception>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">The attempt's timeout, or null.</param>
    /// <param name="stderr">Where the command's stderr is passed through, or null to drop it (its tail is kept for a failure).</param>
    /// <param name="passFailure">Whether a failed command's stderr is passed through too (false for an attempt that is tried again).</param>
    /// <param name="cancellationToken">Interrupts the run.</param>
    public static Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunAsync(RenderedCommand command, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, CancellationToken cancellationToken) =>
        RunAsync(command, timeout, stderr, passFailure, null, cancellationToken);

    /// <summary>Runs the command, saying <paramref name="linger"/> when its first process exited and its output stays open.</summary>
    /// <exception cref="ExecFailedException">The command failed, timed out, or could not start.</exception>
    /// <exception cref="OperationCanceledException">The run was interrupted.</exception>
    /// <param name="command">The command line.</param>
    /// <param name="timeout">The attempt's timeout, or null.</param>
    /// <param name="stderr">Where the command's stderr is passed through, or null to drop it.</param>
    /// <param name="passFailure">Whether a failed command's stderr is passed through too.</param>
    /// <param name="linger">What to say when a process the command left in the background holds its output, or null.</param>
    /// <param name="cancellationToken">Interrupts the run.</param>
    public static async Task<(byte[] Output, TimeSpan? CpuTime, TimeSpan RunQueueWait)> RunAsync(RenderedCommand command, TimeSpan? timeout, CommandStderr? stderr, bool passFailure, LingerNotice? linger, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The text when it needs no shell (no shell reads it: its words are the arguments); else the shell's form, whose
        // values come in the environment (RenderedCommand).
        var direct = ExecCommandLine.TrySplit(command.Text);
        if (direct is not null && ProgramPreflight.IsExportedFunction(direct[0]))
        {
            direct = null; // an exported bash function: the shell's to run (a /bin/sh that is bash imports it; run60)
        }

        var child = direct is not null ? Start(direct, shell: false, stderr, [], linger) : null;
        // A script without '#!' cannot start directly: the shell runs it, and its 128 + N is then the shell's report of a
        // signal, as on the shell path.
        var ranDirect = child is not null;
        child ??= Start(["/bin/sh", "-c", command.ShellText], shell: true, stderr, command.Values, linger)!;

        // Auto mode reads the command's CPU clock while it runs: a long command is known to wait or to compute before it ends.
        using var tracked = ExternalCpuTime.Track(child);

        // One async method for the whole wait (no second state machine and task per command, and fewer generic
        // instantiations compiled at start-up).
        try
        {
            var finished = true;
            try
            {
                if (ItemInvocation.CallerBlocks && timeout is not { TotalMilliseconds: >= int.MaxValue })
                {
                    // Called by an engine's own thread that blocks for the item anyway (auto's threads, the threads
                    // engine): waiting here lets the event loop wake this thread itself when the command is over,
                    // instead of waking a pool thread that then wakes this one, and without spinning.
                    finished = child.WaitDone(timeout ?? Timeout.InfiniteTimeSpan, cancellationToken);
                }
                else
                {
                    var completion = child.Completion.Task;
                    await (timeout is { } t ? completion.WaitAsync(t, cancellationToken) : completion.WaitAsync(cancellationToken)).ConfigureAwait(false);
                }
            }
            catch (TimeoutException)
            {
                finished = false;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                finished = false;

                // Resumed by the cancellation itself, on the thread that cancels (a stop, --fail-fast): every running
                // command's kill would run there one after another, 40 of them in ~3 s at load 40 (run68). Each goes to
                // the pool instead, so that they run side by side, as many at once as the pool has threads.
                if (!ItemInvocation.CallerBlocks)
                {
                    await Task.Yield();
                }
            }

            if (!finished)
            {
                Kill(child);
                if (stderr is not null)
                {
                    ExecEventLoop.Post(() => ExecEventLoop.StopPassing(child));
                }

                if (!await WaitKilledAsync(child).ConfigureAwait(false))
                {
                    // A process that left the command's group still holds its output; the item is over regardless. What
                    // was read until then is kept: the loop closes the pipes and completes the command (it did so at
                    // some point after the checks below, which then dropped the output the command wrote in time).
                    ExecEventLoop.Post(() => ExecEventLoop.Abandon(child));
                    try
                    {
                        await child.Completion.Task.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (TimeoutException)
                    {
                        // Its first process has not exited (stuck in the kernel): reaped once it has, output dropped.
                    }
                }

                // Those of its processes that ran .NET left their runtime's files: removed for those seen dead (review 72).
                ProcessTree.RemoveRuntimeFiles(child.KilledTree);

                cancellationToken.ThrowIfCancellationRequested();
                var partial = child.Completion.Task.IsCompleted ? child.StderrTail() : null;
                if (passFailure && child.Completion.Task.IsCompleted && stderr is not null)
                {
                    await stderr.WriteAsync(child.Stderr.TakeRest(), cancellationToken).ConfigureAwait(false);
                }

                // What it wrote before it was killed is its output too (GNU parallel prints a timed-out job's output).
                var written = child.Completion.Task.IsCompleted ? child.TakeOutput() : null;
                throw new ExecFailedException($"timed out after {timeout!.Value.TotalSeconds:0.###} s (process group killed)", null, partial, written);
            }
        }
        finally
        {
            ExecReaper.Release(child.Slot);
        }

        var output = child.TakeOutput();
        var code = child.Status == -1 ? -1 : ExecNative.ExitCode(child.Status);
        if (child.OutputTooLong && !cancellationToken.IsCancellationRequested)
        {
            throw new ExecFailedException($"the command wrote more than {child.MaxOutput:N0} bytes to stdout, more than brigade can hold (a command's output is kept in memory until it ends): write it to a file of its own and print the file's path", null, child.StderrTail());
        }

        // Queued, not written here: the item's time is the command's, and a slow stderr holds no engine thread.
        if (stderr is not null && (code == 0 || (passFailure && !cancellationToken.IsCancellationRequested)))
        {
            await stderr.WriteAsync(child.Stderr.TakeRest(), cancellationToken).ConfigureAwait(false);
        }

        if (code != 0)
        {
            // The wait status tells a signal from an exit code: a program run directly that exits 130 was not killed by
            // SIGINT. Through the shell, 128 + N is also how the shell reports a command of it killed by signal N.
            int? signal = code > 0 && (child.Status & 0x7f) != 0 ? child.Status & 0x7f : ranDirect ? 0 : null;
            await ExecRunner.ThrowFailureAsync(code, child.StderrTail(), signal, output, cancellationToken, child.CpuTime, child.RunQueueWait).ConfigureAwait(false);
        }

        return (output, child.CpuTime, child.RunQueueWait);
    }

    /// <summary>Starts a helper process (not in a session of its own) with descriptors mapped as given; returns its pid, or -1.</summary>
    public static unsafe int SpawnHelper(string[] argv, ReadOnlySpan<(int From, int To)> descriptors)
    {
        if (!OperatingSystem.IsLinux() || !NativeReady.Value)
        {
            return -1;
        }

        var error = Spawn(argv, null, _helperAttributes, descriptors, id: 0, [], out var pid);
        return error == 0 ? pid : -1;
    }

    // Starts the command; null when the program is a script without a '#!' line (the shell runs those).
    private static unsafe ExecChild? Start(string[] argv, bool shell, CommandStderr? stderr, IReadOnlyList<string> values, LingerNotice? linger)
    {
        var id = Interlocked.Increment(ref _nextId);
        var slot = ExecReaper.Reserve(id);
        var outPipe = stackalloc int[2];
        var errPipe = stackalloc int[2];
        if (ExecNative.pipe2(outPipe, ExecNative.OCloexec) != 0)
        {
            ExecReaper.Release(slot);
            throw new ExecFailedException($"could not start the command: no pipe ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})", null, null);
        }

        if (ExecNative.pipe2(errPipe, ExecNative.OCloexec) != 0)
        {
            var message = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            ExecNative.close(outPipe[0]);
            ExecNative.close(outPipe[1]);
            ExecReaper.Release(slot);
            throw new ExecFailedException($"could not start the command: no pipe ({message})", null, null);
        }

        // Only brigade's ends are non-blocking; the command writes to blocking pipes, as under any shell.
        SetNonBlocking(outPipe[0]);
        SetNonBlocking(errPipe[0]);
        // A program named without a '/' is spawned by the path found for it once (ProgramPathCache); if that fails for
        // any reason, posix_spawnp searches PATH again, so the command behaves as under execvp.
        var path = shell ? null : Paths.Find(argv[0], _searchPath);
        var error = Spawn(argv, path, _commandAttributes, [(outPipe[1], 1), (errPipe[1], 2)], id, values, out var pid);
        if (error != 0 && path is not null)
        {
            Paths.Forget(argv[0]);
            error = Spawn(argv, null, _commandAttributes, [(outPipe[1], 1), (errPipe[1], 2)], id, values, out pid);
        }

        ExecNative.close(outPipe[1]);
        ExecNative.close(errPipe[1]);
        if (error != 0)
        {
            ExecNative.close(outPipe[0]);
            ExecNative.close(errPipe[0]);
            ExecReaper.Release(slot);
            if (!shell && error == ExecNative.ENOEXEC)
            {
                return null;
            }

            throw SpawnFailure(argv[0], shell, error);
        }

        ExecReaper.Started(slot, pid, ownGroup: true);
        var pidFd = ExecNative.PidfdOpen(pid);
        var child = new ExecChild(id, pid, slot, outPipe[0], errPipe[0], pidFd, stderr) { Linger = linger };
        if (pidFd < 0 || !ExecEventLoop.Add(child))
        {
            // Cannot watch it (out of descriptors): stop it, reap it here, and report the item failed.
            var message = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            Kill(child);
            lock (child.ReapGate)
            {
                int status;
                _ = ExecNative.wait4(pid, &status, 0, null);
                child.Reaped = true;
            }

            ExecEventLoop.Post(() => ExecEventLoop.Forget(child));
            ExecReaper.Release(slot);
            throw new ExecFailedException($"could not watch the command ({message})", null, null);
        }

        return child;
    }

    // A helper (the reaper's shell) starts in "/": it needs no working directory, and in one that was deleted dash said
    // "sh: 0: getcwd() failed: No such file or directory" on brigade's stderr as it started (review 45). Commands keep
    // brigade's, deleted or not, as under xargs.
    private static unsafe void AtRoot(void* actions)
    {
        try
        {
            fixed (byte* root = "/\0"u8)
            {
                _ = ExecNative.posix_spawn_file_actions_addchdir_np(actions, root);
            }
        }
        catch (EntryPointNotFoundException)
        {
            // An older C library: the helper starts where brigade is, as before.
        }
    }

    private static ExecFailedException SpawnFailure(string program, bool shell, int error)
    {
        if (shell)
        {
            return new ExecFailedException($"could not start the shell: {Marshal.GetPInvokeErrorMessage(error)}", null, null);
        }

        // What the shell would have said and exited with: 127 not found, 126 found but not runnable.
        return error is ExecNative.ENOENT or ExecNative.ENOTDIR
            ? new ExecFailedException($"exit code 127: command not found: {program}", 127, $"{program}: not found")
            : error is ExecNative.EACCES or ExecNative.ELOOP or ExecNative.ENAMETOOLONG
                ? new ExecFailedException($"exit code 126: {program}: {Marshal.GetPInvokeErrorMessage(error)}", 126, $"{program}: {Marshal.GetPInvokeErrorMessage(error)}")
                : new ExecFailedException($"could not start '{program}': {Marshal.GetPInvokeErrorMessage(error)}", null, null);
    }

    /// <summary>
    /// Stops the command's group, kills every process below its first one, then kills the group; nothing once the
    /// command is over.
    /// </summary>
    /// <remarks>
    /// The first process is reaped only once it exited and the command's output is closed (<see cref="ExecEventLoop"/>):
    /// until then its id, which is also the group's, is its own (a zombie keeps it), so the group may be signalled
    /// even after the first process exited (background children holding the output die too). Once it is reaped, the
    /// group may be empty and its id reused by an unrelated process (another command's group included): not signalled.
    /// </remarks>
    public static void Kill(ExecChild child)
    {
        lock (child.ReapGate)
        {
            if (child.Reaped)
            {
                return;
            }

            // Brigade kills it: no notice that a process it left in the background holds its output (the shell's
            // foreground child, stopped here, held it while a slow kill ran; run67).
            child.Killed = true;
            _ = ExecNative.kill(-child.Pid, ExecNative.SigStop);
            if (!child.Exited)
            {
                // Every process below the first one, those that left the group (setsid) included, read from the tree
                // itself: not Process.Kill(entireProcessTree), which read every process of the system (run67).
                child.KilledTree = [];
                _ = ProcessTree.Kill(child.Pid, child.KilledTree);
            }

            _ = ExecNative.kill(-child.Pid, ExecNative.SigKill);
        }
    }

    /// <summary>
    /// Waits for a killed command's output to close; false when a process outside its group still holds it open. The
    /// group's processes die within moments of the SIGKILL and their ends of the pipes close as they die; once none of them
    /// is left (the first process's zombie, kept until the output closes, is not one: <see cref="ProcessGroup"/>), what
    /// still holds the output left the group (<c>setsid</c>, a daemon) and is not waited for, past a moment for the
    /// event loop to read what the group wrote last. At most <see cref="KillWait"/> (<see cref="KillWaitOverride"/> in a test): a process stuck in the kernel dies late.
    /// </summary>
    internal static async Task<bool> WaitKilledAsync(ExecChild child)
    {
        var done = child.Completion.Task;
        var waited = Stopwatch.StartNew();
        var poll = TimeSpan.FromMilliseconds(10);
        var limit = KillWaitOverride.Value ?? KillWait;
        while (waited.Elapsed < limit)
        {
            // A reading of the system begun after this round's wait began will do: commands killed together share one.
            var polledAt = Stopwatch.GetTimestamp();
            if (await Task.WhenAny(done, Task.Delay(poll)).ConfigureAwait(false) == done)
            {
                return true;
            }

            var live = await ProcessGroup.HasLiveMemberAsync(child.Pid, polledAt).ConfigureAwait(false);
            if (done.IsCompleted)
            {
                return true;
            }

            if (live == false)
            {
                return await Task.WhenAny(done, Task.Delay(PipeGrace)).ConfigureAwait(false) == done;
            }

            poll = TimeSpan.FromMilliseconds(Math.Min(poll.TotalMilliseconds * 2, 100));
        }

        return done.IsCompleted;
    }

    private static void SetNonBlocking(int fd)
    {
        var flags = ExecNative.fcntl(fd, ExecNative.FGetfl, 0);
        _ = ExecNative.fcntl(fd, ExecNative.FSetfl, flags | ExecNative.ONonblock);
    }

    // posix_spawn of `path` (posix_spawnp of argv[0] without one) with stdin from /dev/null (unless mapped), the
    // descriptors dup2-ed as asked, the environment taken at start plus the command's number (ExecReaper) and its values
    // (BRIGADE_V1=...: RenderedCommand); returns 0 or the error number.
    private static unsafe int Spawn(string[] argv, string? path, void* attributes, ReadOnlySpan<(int From, int To)> descriptors, long id, IReadOnlyList<string> values, out int pid)
    {
        var utf8 = Encoding.UTF8;
        nuint bytes = 0;
        foreach (var arg in argv)
        {
            bytes += (nuint)utf8.GetByteCount(arg) + 1;
        }

        // Each value as "BRIGADE_Vn=" and its exact bytes, in the same block as the arguments.
        byte[][]? encoded = null;
        if (values.Count > 0)
        {
            encoded = new byte[values.Count][];
            for (var i = 0; i < values.Count; i++)
            {
                encoded[i] = ByteText.Encode($"{RenderedCommand.Variable(i + 1)}={values[i]}");
                bytes += (nuint)encoded[i].Length + 1;
            }
        }

        var pointers = (nuint)(argv.Length + 1) * (nuint)sizeof(byte*);
        var block = (byte*)NativeMemory.Alloc(pointers + bytes);
        var envp = (byte**)NativeMemory.Alloc((nuint)(_environmentCount + 2 + values.Count) * (nuint)sizeof(byte*));
        var actions = stackalloc byte[ExecNative.FileActionsSize];
        var token = stackalloc byte[128];
        try
        {
            var argvp = (byte**)block;
            var at = block + pointers;
            for (var i = 0; i < argv.Length; i++)
            {
                argvp[i] = at;
                var written = utf8.GetBytes(argv[i], new Span<byte>(at, (int)(bytes - (nuint)(at - block - (nint)pointers))));
                at[written] = 0;
                at += written + 1;
            }

            argvp[argv.Length] = null;
            new ReadOnlySpan<nint>((void*)_environment, _environmentCount).CopyTo(new Span<nint>(envp, _environmentCount));
            var count = _environmentCount;
            if (id > 0)
            {
                var text = new Span<byte>(token, 127);
                var done = Encoding.UTF8.TryGetBytes($"{ExecReaper.IdVariable}={ExecReaper.IdPrefix}{id}", text, out var length);
                token[done ? length : 0] = 0;
                envp[count++] = token;
            }

            for (var i = 0; encoded is not null && i < encoded.Length; i++)
            {
                encoded[i].CopyTo(new Span<byte>(at, encoded[i].Length));
                at[encoded[i].Length] = 0;
                envp[count++] = at;
                at += encoded[i].Length + 1;
            }

            envp[count] = null;
            _ = ExecNative.posix_spawn_file_actions_init(actions);
            var stdinMapped = false;
            foreach (var (from, to) in descriptors)
            {
                _ = ExecNative.posix_spawn_file_actions_adddup2(actions, from, to);
                stdinMapped |= to == 0;
            }

            if (!stdinMapped)
            {
                fixed (byte* devNull = "/dev/null\0"u8)
                {
                    _ = ExecNative.posix_spawn_file_actions_addopen(actions, 0, devNull, ExecNative.ORdonly, 0);
                }
            }

            if (id == 0)
            {
                AtRoot(actions);
            }

            int child;
            int error;
            if (path is null)
            {
                error = ExecNative.posix_spawnp(&child, argvp[0], actions, attributes, argvp, (byte**)envp);
            }
            else
            {
                var length = utf8.GetByteCount(path);
                var file = stackalloc byte[length + 1];
                utf8.GetBytes(path, new Span<byte>(file, length));
                file[length] = 0;
                error = ExecNative.posix_spawn(&child, file, actions, attributes, argvp, (byte**)envp);
            }

            _ = ExecNative.posix_spawn_file_actions_destroy(actions);
            pid = error == 0 ? child : -1;
            return error;
        }
        finally
        {
            NativeMemory.Free(envp);
            NativeMemory.Free(block);
        }
    }

    private static unsafe bool Probe()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(SwitchVariable) == "process" || !File.Exists("/bin/sh"))
        {
            return false;
        }

        try
        {
            // .NET reaps every child as pid 1, and the kernel does when SIGCHLD is ignored: no exit status for us there.
            var action = stackalloc byte[ExecNative.SigactionSize];
            if (ExecNative.getpid() == 1 || ExecNative.sigaction(ExecNative.SigChld, null, action) != 0 || *(nint*)action == ExecNative.SigIgn)
            {
                return false;
            }

            var self = ExecNative.PidfdOpen(ExecNative.getpid());
            if (self < 0)
            {
                return false;
            }

            ExecNative.close(self);
            return NativeReady.Value && ExecEventLoop.TryStart();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc
        }
    }

    private static unsafe bool Prepare()
    {
        try
        {
            _commandAttributes = Attributes(ExecNative.PosixSpawnSetsid);
            _helperAttributes = Attributes(0);
            if (_commandAttributes is null || _helperAttributes is null)
            {
                return false; // glibc before 2.26 refuses POSIX_SPAWN_SETSID
            }

            TakeEnvironment();
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static unsafe void* Attributes(short flags)
    {
        var attributes = NativeMemory.AllocZeroed(ExecNative.SpawnAttrSize);
        var signals = stackalloc byte[ExecNative.SigsetSize];
        if (ExecNative.posix_spawnattr_init(attributes) != 0 ||
            !DefaultSignals(signals) ||
            ExecNative.posix_spawnattr_setsigdefault(attributes, signals) != 0 ||
            ExecNative.posix_spawnattr_setflags(attributes, (short)(flags | ExecNative.PosixSpawnSetsigdef)) != 0)
        {
            NativeMemory.Free(attributes);
            return null;
        }

        return attributes;
    }

    // The signals the command gets at their default disposition: SIGPIPE (which .NET ignores), and every signal this
    // process does not ignore. glibc's posix_spawn resets each signal in the child anyway: one it is not told about it
    // first asks for (sigaction), then sets to SIG_DFL unless ignored; one in this set it sets at once. The result is
    // the same (a signal ignored here stays ignored, as under a shell; a handler becomes SIG_DFL, which exec does too),
    // in ~64 calls per spawn instead of ~120. Read once: the runtime installs handlers later, but ignores no signal
    // later. SIGTERM is never ignored here, even when brigade was started with it ignored: the runtime handles it.
    private static unsafe bool DefaultSignals(void* signals)
    {
        if (ExecNative.sigemptyset(signals) != 0 || ExecNative.sigaddset(signals, ExecNative.SigPipe) != 0)
        {
            return false;
        }

        var action = stackalloc byte[ExecNative.SigactionSize];
        for (var signal = 1; signal <= ExecNative.SignalCount; signal++)
        {
            // SIGXFSZ when brigade ignored it itself (FileSizeSignal): the command gets the default it would have had.
            if (signal != ExecNative.SigPipe && ((signal == FileSizeSignal.Number && FileSizeSignal.IgnoredByBrigade) || (ExecNative.sigaction(signal, null, action) == 0 && *(nint*)action != ExecNative.SigIgn)))
            {
                _ = ExecNative.sigaddset(signals, signal); // refused for glibc's own signals (32, 33), which it handles itself
            }
        }

        return true;
    }

    // Commands get this process's environment as .NET sees it, without an outer brigade's command number and values, each
    // variable as the bytes brigade was given (NativeEnvironment: a value that is not UTF-8 passes unchanged).
    private static unsafe void TakeEnvironment()
    {
        var entries = NativeEnvironment.Entries(name => name != ExecReaper.IdVariable && !RenderedCommand.IsValueVariable(name));
        _environment = (byte**)NativeMemory.Alloc((nuint)(entries.Count + 1) * (nuint)sizeof(byte*));
        for (var i = 0; i < entries.Count; i++)
        {
            var copy = (byte*)NativeMemory.Alloc((nuint)entries[i].Length + 1);
            entries[i].CopyTo(new Span<byte>(copy, entries[i].Length));
            copy[entries[i].Length] = 0;
            _environment[i] = copy;
        }

        _environmentCount = entries.Count;
        _searchPath = Environment.GetEnvironmentVariable("PATH");
    }
}
