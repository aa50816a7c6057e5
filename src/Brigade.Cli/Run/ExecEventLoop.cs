using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brigade.Cli.Run;

/// <summary>
/// One thread that watches every running command's stdout, stderr and pidfd with <c>epoll</c>: it reads the output as
/// it comes, notes when its pidfd says the process exited, closes the descriptors, reaps the process with <c>wait4</c>
/// (exit status and CPU time) once its output is closed too, and completes the command's task then. No thread per command, no thread-pool thread
/// blocked in a read, and a single wake-up per command: of the engine's thread blocked on the command (auto's threads,
/// the threads engine), or of a pool thread for the command's awaiting task.
/// </summary>
/// <remarks>
/// Only this thread closes the descriptors it watches, so a descriptor number is never reused under it. Other threads
/// add commands (<see cref="Add"/>) and post the rare requests that must close a descriptor (<see cref="Post"/>).
/// </remarks>
internal static unsafe class ExecEventLoop
{
    private const int MaxEvents = 128;
    private const int ReadBufferSize = 1 << 16;
    private const long WakeId = 0;

    private static readonly Lock Gate = new();
    private static readonly Dictionary<long, ExecChild> Children = [];
    private static readonly ConcurrentQueue<Action> Posted = new();
    private static int _epoll = -1;
    private static int _wakeRead = -1;
    private static int _wakeWrite = -1;

    /// <summary>Creates the epoll instance and starts the thread; false when the system refuses.</summary>
    public static bool TryStart()
    {
        var epoll = ExecNative.epoll_create1(ExecNative.OCloexec);
        if (epoll < 0)
        {
            return false;
        }

        var wake = stackalloc int[2];
        if (ExecNative.pipe2(wake, ExecNative.OCloexec | ExecNative.ONonblock) != 0)
        {
            ExecNative.close(epoll);
            return false;
        }

        _epoll = epoll;
        _wakeRead = wake[0];
        _wakeWrite = wake[1];
        if (!Watch(_wakeRead, WakeId, ExecNative.EpollCtlAdd, oneShot: false))
        {
            return false;
        }

        var thread = new Thread(Loop) { IsBackground = true, Name = "brigade-exec-loop" };
        thread.Start();
        return true;
    }

    /// <summary>
    /// Watches a started command. False when epoll refused a descriptor: the command's pidfd is then not watched, and
    /// the caller kills and reaps the command itself, then posts <see cref="Forget"/>.
    /// </summary>
    public static bool Add(ExecChild child)
    {
        lock (Gate)
        {
            Children.Add(child.Id, child);
        }

        var id = child.Id << 2;
        return Watch(child.OutFd, id | 1, ExecNative.EpollCtlAdd) && Watch(child.ErrFd, id | 2, ExecNative.EpollCtlAdd) && Watch(child.PidFd, id | 3, ExecNative.EpollCtlAdd);
    }

    /// <summary>Closes every descriptor of a command that could not be watched, and forgets it. Loop thread only.</summary>
    public static void Forget(ExecChild child)
    {
        CloseOut(child);
        CloseErr(child);
        if (child.PidFd >= 0)
        {
            ExecNative.close(child.PidFd);
            child.PidFd = -1;
        }

        lock (Gate)
        {
            Children.Remove(child.Id);
        }

        child.Complete();
    }

    /// <summary>Runs an action on the loop thread.</summary>
    public static void Post(Action action)
    {
        Posted.Enqueue(action);
        byte one = 1;
        _ = ExecNative.write(_wakeWrite, &one, 1);
    }

    /// <summary>Stops waiting for a command's output (a process that left its group holds it open): closes the pipes. Loop thread only.</summary>
    public static void Abandon(ExecChild child)
    {
        CloseOut(child);
        CloseErr(child);
        CompleteIfDone(child);
    }

    /// <summary>Reads a command that is being killed to its end: its stderr is no longer held back for a chunk to be
    /// written (a stderr nobody reads would hold the kill). Loop thread only.</summary>
    public static void StopPassing(ExecChild child)
    {
        if (!child.Stderr.Passes)
        {
            return;
        }

        child.Stderr.StopPassing();
        if (child.ErrFd >= 0)
        {
            _ = Watch(child.ErrFd, (child.Id << 2) | 2, ExecNative.EpollCtlMod);
        }
    }

    // One-shot: an event disarms its descriptor until it is watched again (EPOLL_CTL_MOD). A descriptor closed here can
    // live on for a moment in a child being spawned on another thread (copied before its exec closes it), and epoll
    // keeps watching it until then: disarmed, it cannot report a hang-up over and over.
    private static bool Watch(int fd, long data, int operation, bool oneShot = true)
    {
        var evt = stackalloc byte[16];
        Unsafe.WriteUnaligned(evt, ExecNative.EpollIn | (oneShot ? ExecNative.EpollOneShot : 0u));
        Unsafe.WriteUnaligned(evt + ExecNative.EpollDataOffset, data);
        return ExecNative.epoll_ctl(_epoll, operation, fd, evt) == 0;
    }

    private static void Loop()
    {
        var size = ExecNative.EpollEventSize;
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * size));
        var buffer = (byte*)NativeMemory.Alloc(ReadBufferSize);
        while (true)
        {
            var count = ExecNative.epoll_wait(_epoll, events, MaxEvents, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() == ExecNative.EINTR)
                {
                    continue;
                }

                // Nothing sensible to do without epoll; commands already running are left to their timeouts.
                return;
            }

            for (var i = 0; i < count; i++)
            {
                var flags = Unsafe.ReadUnaligned<uint>(events + (i * size));
                var data = Unsafe.ReadUnaligned<long>(events + (i * size) + ExecNative.EpollDataOffset);
                if (data == WakeId)
                {
                    DrainWake(buffer);
                    continue;
                }

                ExecChild? child;
                lock (Gate)
                {
                    Children.TryGetValue(data >> 2, out child);
                }

                if (child is null)
                {
                    continue; // an event for a command finished earlier in this batch
                }

                var hangUp = (flags & (ExecNative.EpollHup | ExecNative.EpollErr)) != 0;
                switch (data & 3)
                {
                    case 1 when child.OutFd >= 0:
                        if (Drain(child.OutFd, buffer, hangUp, child))
                        {
                            CloseOut(child);
                        }
                        else
                        {
                            _ = Watch(child.OutFd, data, ExecNative.EpollCtlMod);
                        }

                        break;
                    case 2 when child.ErrFd >= 0:
                        switch (DrainStderr(child, buffer, hangUp))
                        {
                            case StderrState.Ended:
                                CloseErr(child);
                                break;
                            case StderrState.Full:
                                HandOverStderr(child);
                                break;
                            default:
                                _ = Watch(child.ErrFd, data, ExecNative.EpollCtlMod);
                                break;
                        }

                        break;
                    case 3 when child.PidFd >= 0:
                        // The reaper kills the group only from here: if brigade dies now, init reaps the first
                        // process and its id may be reused.
                        ExecReaper.LeaderExited(child.Slot);
                        child.Exited = true;
                        if (child.Linger is { } linger && child.LingerTimer is null && (child.OutFd >= 0 || child.ErrFd >= 0))
                        {
                            child.LingerTimer = new Timer(static state => SayLingering((ExecChild)state!), child, linger.After, Timeout.InfiniteTimeSpan);
                        }

                        break;
                }

                CompleteIfDone(child);
            }
        }
    }

    // The first process exited a while ago and the command is not over: a process it left holds its output (review 45).
    private static void SayLingering(ExecChild child)
    {
        if (!child.Completion.Task.IsCompleted && !child.Killed)
        {
            child.Linger!.Notify(LingerNotice.Holders(child.Pid));
        }
    }

    // Reads the command's stderr as Drain reads its stdout, but no more than its buffer has room for when it is passed
    // through (StderrBuffer.Room: 64 KiB holding a line end, or 1 MiB of one line): a full buffer is handed over to be
    // written before anything more is read.
    private static StderrState DrainStderr(ExecChild child, byte* buffer, bool hangUp)
    {
        var stderr = child.Stderr;
        while (true)
        {
            var room = Math.Min(ReadBufferSize, stderr.Room);
            if (room <= 0)
            {
                return StderrState.Full;
            }

            var read = ExecNative.read(child.ErrFd, buffer, room);
            if (read > 0)
            {
                stderr.Append(new ReadOnlySpan<byte>(buffer, (int)read));
                if (read < room && !hangUp)
                {
                    return StderrState.Waiting; // drained for now: watched again
                }

                continue;
            }

            if (read == 0)
            {
                return StderrState.Ended;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == ExecNative.EINTR)
            {
                continue;
            }

            return error == ExecNative.EAGAIN ? StderrState.Waiting : StderrState.Ended;
        }
    }

    // A command wrote more stderr than is kept in memory: its lines so far go to the writer, and its pipe is watched again
    // only once they are written (until then the command may fill the pipe and wait, as a shell's stderr would make it).
    private static void HandOverStderr(ExecChild child)
    {
        var chunk = child.Stderr.TakeChunk();
        child.Sink!.WriteChunk(chunk, () => Post(() =>
        {
            // Closed meanwhile (a timeout abandoned the command): nothing to watch.
            if (child.ErrFd >= 0)
            {
                _ = Watch(child.ErrFd, (child.Id << 2) | 2, ExecNative.EpollCtlMod);
            }
        }));
    }

    // Reads what is there; true at the end of the stream. After a hang-up, reads to the end.
    private static bool Drain(int fd, byte* buffer, bool hangUp, ExecChild child)
    {
        while (true)
        {
            var read = ExecNative.read(fd, buffer, ReadBufferSize);
            if (read > 0)
            {
                child.AppendOutput(new ReadOnlySpan<byte>(buffer, (int)read));
                if (read < ReadBufferSize && !hangUp)
                {
                    return false; // drained for now: watched again
                }

                continue;
            }

            if (read == 0)
            {
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            if (error == ExecNative.EINTR)
            {
                continue;
            }

            return error != ExecNative.EAGAIN;
        }
    }

    // Reaps the command's first process once it exited AND the command's output is closed (the command is over). Until
    // then it stays a zombie: its process id, which is also its group's id, cannot be reused, so ExecSpawner.Kill can
    // still signal the group (background children holding the output) without hitting an unrelated process.
    private static void TryReap(ExecChild child)
    {
        if (!child.Exited || child.Reaped || child.OutFd >= 0 || child.ErrFd >= 0)
        {
            return;
        }

        var rusage = stackalloc byte[ExecNative.RusageSize];
        lock (child.ReapGate)
        {
            // The exited process's wait for a core (its main thread's), read while it is a zombie: rusage does not have it
            // (nor its children's, which only readings of the running group saw: ExecChild.RecordReaped).
            var runDelay = ProcessCpuClock.RunDelayNanoseconds(child.Pid);
            int status;
            var reaped = ExecNative.wait4(child.Pid, &status, ExecNative.WNohang, rusage);
            if (reaped == 0)
            {
                // Not exited after all (a thread of it still runs): watch again.
                child.Exited = false;
                _ = Watch(child.PidFd, (child.Id << 2) | 3, ExecNative.EpollCtlMod);
                return;
            }

            if (reaped == child.Pid)
            {
                var user = TimeSpan.FromSeconds(Unsafe.ReadUnaligned<long>(rusage)) + TimeSpan.FromMicroseconds(Unsafe.ReadUnaligned<long>(rusage + 8));
                var system = TimeSpan.FromSeconds(Unsafe.ReadUnaligned<long>(rusage + 16)) + TimeSpan.FromMicroseconds(Unsafe.ReadUnaligned<long>(rusage + 24));

                // With what the running group's readings saw: the first process's wait for a core is not its children's.
                child.RecordReaped(status, user + system, runDelay);
            }
            else
            {
                child.Status = -1; // reaped by someone else (ECHILD): the status is lost
            }

            child.Reaped = true;
        }

        ExecNative.close(child.PidFd);
        child.PidFd = -1;
    }

    private static void CloseOut(ExecChild child)
    {
        if (child.OutFd >= 0)
        {
            ExecNative.close(child.OutFd);
            child.OutFd = -1;
        }
    }

    private static void CloseErr(ExecChild child)
    {
        if (child.ErrFd >= 0)
        {
            ExecNative.close(child.ErrFd);
            child.ErrFd = -1;
        }
    }

    private static void CompleteIfDone(ExecChild child)
    {
        TryReap(child);
        if (!child.IsDone)
        {
            return;
        }

        lock (Gate)
        {
            if (!Children.Remove(child.Id))
            {
                return;
            }
        }

        child.Complete();
    }

    private enum StderrState
    {
        Waiting,
        Full,
        Ended,
    }

    private static void DrainWake(byte* buffer)
    {
        while (ExecNative.read(_wakeRead, buffer, 64) > 0)
        {
        }

        while (Posted.TryDequeue(out var action))
        {
            action();
        }
    }
}
