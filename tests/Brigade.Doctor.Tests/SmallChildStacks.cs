using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Brigade.Doctor.Tests;

/// <summary>
/// Lowers this test host's soft stack limit to 1 MB as soon as the test assembly loads, so that every process the tests
/// start inherits it: the corpus programs, the <c>brigade</c> commands, gcore. glibc sizes each thread's stack from that
/// limit (8 MB by default on Linux), and a dump "with heap" holds every thread's whole stack mapping, touched or not: a
/// corpus program with 9 threads dumped to 85 MB, 72 MB of it never-touched stack, and 22 MB with 1 MB stacks (the size
/// .NET gives every thread on Windows). The diagnoses read the frames, a few kilobytes at the top of each stack, and the
/// heap: the same with either limit. What the tests no longer pay is writing and reading ~100 dumps of zero pages
/// (more than half of this project's CPU time was system time spent on them). The test host's own threads keep their
/// size (glibc reads the limit once, when a process starts), and the hard limit is left as it is.
/// </summary>
internal static class SmallChildStacks
{
    public const long StackBytes = 1 << 20;

    private const int RlimitStack = 3; // RLIMIT_STACK on Linux (x64 and arm64)

    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "A test assembly: the limit must be set before any test starts a process.")]
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitStack, out var limit) != 0 || limit.Current <= (ulong)StackBytes)
        {
            return;
        }

        limit.Current = (ulong)StackBytes;
        _ = setrlimit(RlimitStack, in limit);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out Rlimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, in Rlimit limit);

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }
}
