using System.Runtime.InteropServices;

namespace Brigade.Cli;

/// <summary>
/// Replaces this process with the same brigade command and some environment variables added (<c>execve</c>): the same
/// process id, terminal, descriptors, signals and exit code, for the runtime settings that only the environment sets.
/// </summary>
internal static unsafe partial class SelfExec
{
    /// <summary>Gets whether this platform and host can do it.</summary>
    public static bool IsAvailable => (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Environment.ProcessPath is not null;

    /// <summary>Replaces this process with <c>brigade ARGS</c> and <paramref name="added"/> in its environment; returns only if that failed.</summary>
    /// <param name="args">The command's arguments.</param>
    /// <param name="added">The variables to add, as <c>NAME=value</c>.</param>
    public static void Replace(string[] args, IEnumerable<string> added)
    {
        var host = Environment.ProcessPath!;
        var argv = new List<string> { host };

#if !BRIGADE_NATIVE_FRONT
        // Started as 'dotnet Brigade.Cli.dll': the muxer needs the assembly again; as the 'brigade' apphost it does not
        // (nor does the native front, an executable of its own).
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            argv.Add(typeof(SelfExec).Assembly.Location);
        }
#endif

        argv.AddRange(args);
        // As the bytes brigade was given (a value that is not UTF-8 passes unchanged: review 45).
        var environment = Run.NativeEnvironment.Entries(_ => true)
            .Concat(added.Select(System.Text.Encoding.UTF8.GetBytes))
            .ToList();

        Console.Out.Flush();
        Console.Error.Flush();
        DeleteDiagnosticsSocket();
        var strings = new List<nint>();
        try
        {
            var path = Marshal.StringToCoTaskMemUTF8(host);
            strings.Add(path);
            var argvPointers = ToNullTerminated(argv, strings);
            var envPointers = ToNullTerminated(environment, strings);
            fixed (nint* a = argvPointers, e = envPointers)
            {
                _ = Execve(path, a, e);   // returns only on failure: then the command runs here, as it is
            }
        }
        finally
        {
            strings.ForEach(Marshal.FreeCoTaskMem);
        }
    }

    // The runtime's diagnostics socket is named after the process (dotnet-diagnostic-PID-START-socket, START its start
    // time), and the new image keeps both: left in place, the file makes the new runtime's bind fail, and brigade doctor
    // --pid, dotnet-counters and dotnet-trace were refused ("connection refused") for the rest of every restarted run.
    // Should the execve then fail, this runtime goes on without a reachable socket, as the restarted one did before.
    private static void DeleteDiagnosticsSocket()
    {
        try
        {
            foreach (var socket in Directory.EnumerateFiles(Path.GetTempPath(), $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
            {
                File.Delete(socket);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours to delete, or gone: the restart goes on without diagnostics, as before.
        }
    }

    private static nint[] ToNullTerminated(List<byte[]> values, List<nint> allocated)
    {
        var pointers = new nint[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.AllocCoTaskMem(values[i].Length + 1);
            Marshal.Copy(values[i], 0, pointers[i], values[i].Length);
            Marshal.WriteByte(pointers[i], values[i].Length, 0);
            allocated.Add(pointers[i]);
        }

        return pointers;
    }

    private static nint[] ToNullTerminated(List<string> values, List<nint> allocated)
    {
        var pointers = new nint[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            allocated.Add(pointers[i]);
        }

        return pointers;
    }

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    private static partial int Execve(nint path, nint* argv, nint* envp);
}
