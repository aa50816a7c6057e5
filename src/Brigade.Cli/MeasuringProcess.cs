using System.Runtime.InteropServices;

namespace Brigade.Cli;

/// <summary>
/// Starts <c>brigade demo</c> and <c>brigade advise</c> over again with tiered compilation off, in the same process.
/// </summary>
/// <remarks>
/// The tool runs with tiered compilation on: <c>brigade --help</c> and <c>brigade run</c> start in about half the time
/// (docs/performance.md). The demo and advise time code from its first call, where tier-0 code that is recompiled
/// halfway through a measurement skews what they show (the demo's sequential tiny-items loop read 92 ms instead of 29
/// ms), and the runtime reads the switch once, at start-up. So on Linux and macOS those two commands replace the
/// process image with themselves (<c>execve</c>) with <c>DOTNET_TieredCompilation=0</c> (and workstation GC and the
/// thread pool's default idle spinning, which applications get by default, where the tool runs server GC and no
/// spinning) added: the same process id,
/// terminal, signals and exit code, for the cost of one more start-up (about 0.2 s of runs lasting seconds). Where
/// that is not available they run as they are.
/// </remarks>
internal static unsafe partial class MeasuringProcess
{
    private const string Variable = "DOTNET_TieredCompilation";
    private const string GcVariable = "DOTNET_gcServer";

    // The tool's runtimeconfig sets the thread pool's idle spinning to 0 (Brigade.Cli.csproj); the environment wins.
    private const string SpinVariable = "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit";
    private const string DefaultSpinLimit = "70";
    private static readonly string[] Commands = ["demo", "advise"];

    public static bool ShouldRestart(string[] args) =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) &&
        args.Length > 0 && Commands.Contains(args[0]) &&
        !args.Any(a => a is "-h" or "--help" or "-?") &&
        Environment.GetEnvironmentVariable(Variable) is null &&
        Environment.ProcessPath is not null;

    /// <summary>Replaces this process with the same command, tiered compilation off; returns only if that failed.</summary>
    public static void Restart(string[] args)
    {
        var host = Environment.ProcessPath!;
        var argv = new List<string> { host };

        // Started as 'dotnet Brigade.Cli.dll': the muxer needs the assembly again; as the 'brigade' apphost it does not.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            argv.Add(typeof(MeasuringProcess).Assembly.Location);
        }

        argv.AddRange(args);
        // The tool runs server GC (flat memory for long runs, docs/performance.md) and a thread pool that does not spin
        // when idle; what the demo and advise measure is the workstation GC and the spinning an application gets by
        // default, unless the user chose otherwise.
        var environment = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}")
            .Append($"{Variable}=0")
            .Concat(Environment.GetEnvironmentVariable(GcVariable) is null ? [$"{GcVariable}=0"] : [])
            .Concat(Environment.GetEnvironmentVariable(SpinVariable) is null ? [$"{SpinVariable}={DefaultSpinLimit}"] : [])
            .ToList();

        Console.Out.Flush();
        Console.Error.Flush();
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
