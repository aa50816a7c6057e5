using System.Diagnostics;

namespace Brigade.Doctor.Tests;

/// <summary>A child .NET program the tests diagnose: started, awaited until it prints "ready", killed when disposed.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>How long a test waits for a condition only a failure never meets (a child that hangs): not a measure of
    /// how long anything should take. Tests wait for the condition, or for the child to end, whichever comes first.</summary>
    public static TimeSpan Failsafe { get; } = TimeSpan.FromMinutes(5);

    public static string CorpusDll => Path.Combine(AppContext.BaseDirectory, "Brigade.Doctor.Corpus.dll");

    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Brigade.Cli.dll");

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts <c>dotnet DLL ARGS</c> (optionally as another user through <c>runuser</c>) and waits for its "ready" line.</summary>
    public static async Task<ChildProcess> StartAsync(string dll, string[] args, string? asUser = null, string? workingDirectory = null, Dictionary<string, string>? environment = null)
    {
        var psi = asUser is null ? new ProcessStartInfo("dotnet") : new ProcessStartInfo("runuser");
        if (asUser is not null)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(asUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(DotnetPath());
        }

        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? [])
        {
            psi.Environment[name] = value;
        }

        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = workingDirectory ?? Path.GetTempPath();
        var child = new ChildProcess(Process.Start(psi)!);

        // Ready, or ended: a condition, not a time (review 49: at load 30-85 the live watch's warm-up self-dump, before
        // "ready", took longer than the 60 s this waited). Failsafe only bounds a child that hangs.
        using var timeout = new CancellationTokenSource(Failsafe);
        try
        {
            await Task.WhenAny(child._ready.Task, child._process.WaitForExitAsync(timeout.Token)).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // Neither within the failsafe.
        }

        if (!child._ready.Task.IsCompleted)
        {
            var ended = child.HasExited;
            await child.DisposeAsync();
            throw new TimeoutException($"'{string.Join(' ', args)}' {(ended ? "ended before it got ready" : "did not get ready within the failsafe")}; output: {child.Output}");
        }

        if (dll == CorpusDll && asUser is null)
        {
            await WaitUntilMainThreadReadsAsync(child._process.Id);
        }

        return child;
    }

    // The corpus program prints "ready", then its main thread reads stdin to its end: a dump taken in between (at load,
    // Console.In's first use is JIT work) lists that thread otherwise, and two dumps of one child differed (ci164:
    // "thread #1 waits in I/O (Read..." in one report, missing from the other). The main thread (its id is the pid) is
    // in the read(2) system call once /proc says so; where that cannot be read (another architecture, no access), no wait.
    private static async Task WaitUntilMainThreadReadsAsync(int pid)
    {
        var read = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "0",
            System.Runtime.InteropServices.Architecture.Arm64 => "63",
            _ => null,
        };
        if (read is null || !OperatingSystem.IsLinux())
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            string syscall;
            try
            {
                syscall = await File.ReadAllTextAsync($"/proc/{pid}/task/{pid}/syscall");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;
            }

            if (syscall.Split(' ')[0].Trim() == read)
            {
                return;
            }

            await Task.Delay(10);
        }
    }

    public static string DotnetPath() => Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";

    /// <summary>The pid of the process that runs the program (under runuser it is runuser's child).</summary>
    public int ProgramId()
    {
        var children = $"/proc/{Id}/task/{Id}/children";
        if (File.Exists(children) && File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var only])
        {
            return int.Parse(only, System.Globalization.CultureInfo.InvariantCulture);
        }

        return Id;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>Kills the process and every process it started (a program under <c>runuser</c>, a scenario's children), and
    /// waits for the process to end.</summary>
    internal async Task KillAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                KillTree();
                await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    // Suite 71: Process.Kill(entireProcessTree: true) finds the children by reading every process's /proc/PID/stat: ~30 ms
    // of CPU per child at the ~200 processes of a loaded machine, 4.8 of the corpus fixture's ~35 s in the test host (its
    // 145 programs). The tree is read from /proc/PID/task/TID/children instead (the doctor's own TargetProcess.Children).
    // The process is killed first (it starts nothing more), then what it had started.
    private void KillTree()
    {
        if (!OperatingSystem.IsLinux())
        {
            _process.Kill(entireProcessTree: true);
            return;
        }

        var descendants = new List<int>();
        AddDescendants(_process.Id, descendants);
        _process.Kill();
        foreach (var pid in descendants)
        {
            _ = SendSignal(pid, 9);
        }
    }

    private static void AddDescendants(int pid, List<int> descendants)
    {
        IReadOnlyList<int> children;
        try
        {
            children = Brigade.Doctor.Capture.TargetProcess.Read(pid).Children();
        }
        catch (DoctorException)
        {
            return;   // Gone meanwhile: nothing of it to kill.
        }

        foreach (var child in children)
        {
            descendants.Add(child);
            AddDescendants(child, descendants);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (line.Trim() == "ready")
        {
            _ready.TrySetResult();
        }
    }
}
