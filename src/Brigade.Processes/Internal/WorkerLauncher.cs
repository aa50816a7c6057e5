using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Brigade.Processes.Internal;

/// <summary>
/// Finds the worker host and the <c>dotnet</c> executable, and starts worker processes: the worker host (a <c>.dll</c>)
/// with <c>dotnet exec</c>, a worker executable of the application's own (NativeWorkerHost, often NativeAOT) directly,
/// with the same arguments. Always from one long-lived
/// thread: on Linux a worker asks for SIGKILL when its parent goes (PR_SET_PDEATHSIG), and the kernel ties that to
/// the thread that forked it, so a short-lived thread-pool thread would take its workers with it when it retires.
/// </summary>
internal sealed class WorkerLauncher
{
    public const string WorkerFileName = "Brigade.Processes.Worker.dll";

    private static readonly SpawnThread Spawner = new("brigade-process-spawner");

    private WorkerLauncher(string dotnet, string worker, string? runtimeConfig, bool direct = false)
    {
        DotnetPath = dotnet;
        Direct = direct;
        WorkerPath = worker;
        RuntimeConfigPath = runtimeConfig;
    }

    /// <summary>Gets the <c>dotnet</c> executable that runs the worker host (not used when <see cref="Direct"/>).</summary>
    public string DotnetPath { get; }

    /// <summary>Gets whether <see cref="WorkerPath"/> is a worker executable, started directly rather than with <c>dotnet exec</c>.</summary>
    public bool Direct { get; }

    public string WorkerPath { get; }

    public string? RuntimeConfigPath { get; }

    /// <summary>Finds what a worker needs to start; a missing worker host is reported before any item runs.</summary>
    public static WorkerLauncher Resolve(ProcessEngineOptions options)
    {
        var worker = options.WorkerPath ?? DefaultWorkerPath();
        if (options.WorkerPath is not null && IsExecutable(worker))
        {
            return ResolveExecutable(worker, options);
        }

        if (!File.Exists(worker))
        {
            throw new WorkerStartException(
                $"The worker host was not found at '{worker}'. It is copied next to Brigade.Processes.dll into the build output of every project " +
                $"that references Brigade.Processes; if you moved or published the application without it, copy {WorkerFileName} " +
                "(with its .runtimeconfig.json and .deps.json) there, or set ProcessEngineOptions.WorkerPath.");
        }

        var dotnet = options.DotnetPath ?? FindDotnet();
        if (options.DotnetPath is not null && !File.Exists(dotnet))
        {
            throw new WorkerStartException($"ProcessEngineOptions.DotnetPath '{dotnet}' does not exist.");
        }

        var ownConfig = Path.ChangeExtension(worker, ".runtimeconfig.json");
        return new WorkerLauncher(dotnet, Path.GetFullPath(worker), File.Exists(ownConfig) ? null : WriteRuntimeConfig());
    }

    public Process Start(string assemblyPath, string? workName, ProcessEngineOptions options, DataReceivedEventHandler onStandardError)
    {
        var info = new ProcessStartInfo(Direct ? WorkerPath : DotnetPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        if (!Direct)
        {
            info.ArgumentList.Add("exec");
            if (RuntimeConfigPath is not null)
            {
                info.ArgumentList.Add("--runtimeconfig");
                info.ArgumentList.Add(RuntimeConfigPath);
            }

            info.ArgumentList.Add(WorkerPath);
        }

        info.ArgumentList.Add("--parent");
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--assembly");
        info.ArgumentList.Add(assemblyPath);
        if (workName is not null)
        {
            // A hint, so the worker loads that type's metadata while it starts; Prepare still names the type.
            info.ArgumentList.Add("--work");
            info.ArgumentList.Add(workName);
        }

        // Workers behave like this process: same globalization mode, whatever their own runtimeconfig says.
        if (AppContext.TryGetSwitch("System.Globalization.Invariant", out var invariant))
        {
            info.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = invariant ? "1" : "0";
        }

        foreach (var (name, value) in options.EnvironmentVariables)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var done = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            Spawner.Post(() =>
            {
                try
                {
                    var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                    process.ErrorDataReceived += onStandardError;
                    process.Start();
                    process.BeginErrorReadLine();
                    done.SetResult(process);
                }
                catch (Exception e)
                {
                    done.SetException(e);
                }
            });
        }
        catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
        {
            throw new WorkerStartException($"Could not start the thread that starts worker processes: {e.Message}", e);
        }

        try
        {
            return done.Task.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            var command = Direct ? WorkerPath : $"{DotnetPath} exec {WorkerPath}";
            throw new WorkerStartException($"Could not start '{command}': {e.Message}", e);
        }
    }

    // A worker path that is not an assembly (.dll) is a worker executable of the application's own: NativeWorkerHost in
    // its Main, published NativeAOT (or built as an apphost). It needs no dotnet and no runtimeconfig.
    private static bool IsExecutable(string path) => !path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);

    private static WorkerLauncher ResolveExecutable(string worker, ProcessEngineOptions options)
    {
        if (!File.Exists(worker))
        {
            throw new WorkerStartException(
                $"The worker executable '{worker}' (ProcessEngineOptions.WorkerPath) was not found. Build or publish the worker project " +
                "(the executable whose Main calls NativeWorkerHost.Run) and point WorkerPath at its output, such as " +
                "bin/Release/net10.0/linux-x64/publish/MyWorker; the worker host that ships with Brigade.Processes is a .dll.");
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(worker) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            throw new WorkerStartException(
                $"The worker executable '{worker}' (ProcessEngineOptions.WorkerPath) is not executable (chmod +x it). " +
                "A path that does not end in .dll names a worker executable, started directly.");
        }

        return new WorkerLauncher(options.DotnetPath ?? FindDotnet(), Path.GetFullPath(worker), null, direct: true);
    }

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty location (a single-file or NativeAOT application) falls back to AppContext.BaseDirectory.")]
    private static string DefaultWorkerPath()
    {
        var here = typeof(WorkerLauncher).Assembly.Location;
        var directory = string.IsNullOrEmpty(here) ? AppContext.BaseDirectory : Path.GetDirectoryName(here)!;
        return Path.Combine(directory, WorkerFileName);
    }

    private static string FindDotnet()
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";

        // The runtime this process runs on lives in <root>/shared/Microsoft.NETCore.App/<version>/: its root has the muxer.
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var fromRuntime = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", name));
        if (File.Exists(fromRuntime))
        {
            return fromRuntime;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == name)
        {
            return self;
        }

        foreach (var variable in (ReadOnlySpan<string>)["DOTNET_HOST_PATH", "DOTNET_ROOT"])
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                var candidate = variable == "DOTNET_ROOT" ? Path.Combine(value, name) : value;
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return name;
    }

    // Used when the worker host was copied without its .runtimeconfig.json: the same settings, for this runtime.
    private static string WriteRuntimeConfig()
    {
        var version = Environment.Version;
        var path = Path.Combine(Path.GetTempPath(), $"brigade-worker-{version}.runtimeconfig.json");
        if (!File.Exists(path))
        {
            var json = $$"""
                {
                  "runtimeOptions": {
                    "tfm": "net{{version.Major}}.{{version.Minor}}",
                    "framework": { "name": "Microsoft.NETCore.App", "version": "{{version.Major}}.{{version.Minor}}.0" },
                    "configProperties": { "System.GC.Concurrent": false, "System.Runtime.TieredPGO": false }
                  }
                }
                """;
            var temporary = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllText(temporary, json);
            File.Move(temporary, path, overwrite: true);
        }

        return path;
    }
}
