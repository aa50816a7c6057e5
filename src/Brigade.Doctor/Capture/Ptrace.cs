using System.Runtime.InteropServices;

namespace Brigade.Doctor.Capture;

/// <summary>The libc calls <see cref="PtraceCore"/> needs: ptrace, waitpid and process_vm_readv (Linux only).</summary>
internal static unsafe partial class Ptrace
{
    public const int Seize = 0x4206;
    public const int Interrupt = 0x4207;
    public const int Detach = 17;
    public const int GetRegisterSet = 0x4204;

    /// <summary>The register set of <c>NT_PRSTATUS</c> (general registers).</summary>
    public const int NotePrStatus = 1;

    public const int WaitNoHang = 1;
    public const int WaitAll = 0x40000000;

    /// <summary>The stop of a thread that <c>PTRACE_INTERRUPT</c> (or a group stop) made: <c>status &gt;&gt; 16</c>.</summary>
    public const int EventStop = 128;

    public const int ErrorNoSuchProcess = 3;
    public const int ErrorInterrupted = 4;
    public const int ErrorNotPermitted = 1;
    public const int ErrorNoChild = 10;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public nint Base;
        public nuint Length;
    }

    public static long Request(int request, int threadId, nint address, nint data) => ptrace(request, threadId, address, data);

    public static int WaitPid(int threadId, out int status, int options) => waitpid(threadId, out status, options);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="remote"/> in process <paramref name="processId"/> into <paramref name="local"/>.</summary>
    public static long ReadMemory(int processId, byte* local, ulong remote, int length)
    {
        var here = new IoVector { Base = (nint)local, Length = (nuint)length };
        var there = new IoVector { Base = (nint)remote, Length = (nuint)length };
        return process_vm_readv(processId, &here, 1, &there, 1, 0);
    }

    [LibraryImport("libc", EntryPoint = "ptrace", SetLastError = true)]
    private static partial long ptrace(long request, int pid, nint addr, nint data);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "process_vm_readv", SetLastError = true)]
    private static partial long process_vm_readv(int pid, IoVector* local, ulong localCount, IoVector* remote, ulong remoteCount, ulong flags);
}
