using System.Runtime.InteropServices;

namespace Brigade.Processes.Worker;

/// <summary>
/// Makes the worker die with its parent. On Linux the kernel sends SIGKILL when the parent goes
/// (PR_SET_PDEATHSIG; the host starts workers from one long-lived thread, because the signal follows the thread
/// that forked); everywhere, the end of the channel (EOF on the input) ends the worker, even after the parent was
/// killed with SIGKILL.
/// </summary>
internal static class ParentWatch
{
    private static PosixSignalRegistration? s_interrupt;

    public static void Arm(int parentPid)
    {
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.prctl(NativeMethods.PrSetPdeathsig, NativeMethods.SigKill, 0, 0, 0);

            // The parent may have died between fork and prctl: then we were already re-parented.
            if (parentPid > 0 && NativeMethods.getppid() != parentPid)
            {
                Exit(0);
            }
        }

        // Ctrl+C in a terminal signals the whole process group, workers included. The host decides what an
        // interrupt means (it cancels the run); a worker that died of it would look like a crash.
        if (!OperatingSystem.IsWindows())
        {
            s_interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        }
    }

    /// <summary>Exits at once, without running user shutdown code: the channel is gone, nobody waits for anything.</summary>
    public static void Exit(int code)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            NativeMethods._exit(code);
        }

        Environment.Exit(code);
    }
}
