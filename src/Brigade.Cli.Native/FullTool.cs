using System.Runtime.InteropServices;

namespace Brigade.Cli;

/// <summary>
/// Hands a command the native front does not run to the framework-dependent brigade tool installed beside it: the
/// process is replaced (<c>execve</c>) by that tool with the same arguments and environment, so the pid, terminal,
/// descriptors, signals and exit code are the ones the user started.
/// </summary>
/// <remarks>
/// The tool is looked for in the native front's own directory: its apphost (<c>Brigade.Cli</c>), else
/// <c>Brigade.Cli.dll</c> run by the <c>dotnet</c> host found through <c>DOTNET_ROOT</c> or <c>PATH</c>.
/// </remarks>
internal static unsafe partial class FullTool
{
    private const string AppHost = "Brigade.Cli";
    private const string Assembly = "Brigade.Cli.dll";

    /// <summary>Gets or sets this process's own arguments (set by Program; null in tests, which run commands in-process).</summary>
    public static IReadOnlyList<string>? Arguments { get; set; }

    /// <summary>Replaces this process with the framework-dependent tool; returns the exit code only if that failed.</summary>
    /// <param name="args">The command's arguments, as this process got them.</param>
    /// <param name="stderr">Where to say that the tool could not be started.</param>
    /// <returns><see cref="ExitCodes.Failure"/>: the tool is not there or could not be executed.</returns>
    public static int Replace(IReadOnlyList<string> args, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stderr);
        var directory = AppContext.BaseDirectory;
        var appHost = Path.Combine(directory, AppHost);
        var assembly = Path.Combine(directory, Assembly);
        // The apphost first; a package may have lost its execute bit (dotnet tool install sets it on the command's
        // entry point only), and then the muxer runs the assembly.
        List<List<string>> candidates = [];
        if (File.Exists(appHost))
        {
            candidates.Add([appHost, .. args]);
        }

        if (File.Exists(assembly) && Muxer() is { } dotnet)
        {
            candidates.Add([dotnet, assembly, .. args]);
        }

        if (candidates.Count == 0)
        {
            stderr.WriteLine($"brigade: this command needs the framework-dependent brigade tool ({AppHost} or {Assembly}) in {directory}");
            return ExitCodes.Failure;
        }

        stderr.Flush();
        var error = "";
        foreach (var argv in candidates)
        {
            Exec(argv); // returns only if it failed
            error = $"cannot start {argv[0]}: {Marshal.GetLastPInvokeErrorMessage()}";
        }

        stderr.WriteLine($"brigade: {error}");
        return ExitCodes.Failure;
    }

    private static void Exec(List<string> argv)
    {
        var pointers = new nint[argv.Count + 1];
        try
        {
            for (var i = 0; i < argv.Count; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            }

            fixed (nint* p = pointers)
            {
                _ = Execv(p[0], p); // the environment is this process's own (environ)
            }
        }
        finally
        {
            foreach (var pointer in pointers)
            {
                Marshal.FreeCoTaskMem(pointer);
            }
        }
    }

    private static string? Muxer()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, "dotnet")))
        {
            return Path.Combine(root, "dotnet");
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "dotnet"))
            .FirstOrDefault(File.Exists);
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static partial int Execv(nint path, nint* argv);
}
