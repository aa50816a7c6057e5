using System.Diagnostics;

namespace Brigade.Cli.Tests;

/// <summary>Runs the real <c>brigade</c> executable in its own process (for stdin, signals and kills).</summary>
internal static class CliProcess
{
    public static string CliDll { get; } = typeof(CliApp).Assembly.Location;

    public static Process Start(string workingDirectory, params string[] args) => Start(workingDirectory, null, args);

    /// <summary>Starts brigade with extra environment variables (such as XDG_STATE_HOME, for a private state directory).</summary>
    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        return Process.Start(psi)!;
    }

    /// <summary>
    /// Starts brigade as a terminal would start a foreground job: leading a process group (and session) of its own, so
    /// a signal to the group (<c>kill -INT -PID</c>, what Ctrl+C does) reaches it and everything in its group, with
    /// SIGINT and SIGQUIT at their defaults as a job-control shell gives them. Linux (GNU env 8.31 or later).
    /// </summary>
    public static Process StartInOwnGroup(string workingDirectory, params string[] args) => StartInOwnGroup(workingDirectory, null, args);

    /// <inheritdoc cref="StartInOwnGroup(string, string[])"/>
    public static Process StartInOwnGroup(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Process.Start(OwnGroupStartInfo(workingDirectory, environment, args))!;

    /// <summary>The start info <see cref="StartInOwnGroup(string, string[])"/> uses (env, then setsid, then brigade; each execs the next in place).</summary>
    public static ProcessStartInfo OwnGroupStartInfo(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        // A process started with SIGINT ignored keeps ignoring it (the .NET runtime leaves an ignored signal alone), and
        // a child inherits that: a test host run as a background job of a script, or by a runner that ignores SIGINT,
        // would start a brigade deaf to Ctrl+C, and the Ctrl+C tests would wait for an exit that never comes. A terminal's
        // shell restores the defaults for its foreground jobs; env does the same here.
        var psi = new ProcessStartInfo("env") { WorkingDirectory = workingDirectory, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--default-signal=INT,QUIT,TERM");
        psi.ArgumentList.Add("setsid");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        // setsid execs in place (a fresh child never leads a group), so the pid is brigade's and its group's.
        return psi;
    }

    /// <summary>The longest <see cref="RunAsync(string, IReadOnlyDictionary{string, string}?, string?, TimeSpan?, string[])"/> waits when its caller gives no bound.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, string? stdin, params string[] args) =>
        RunAsync(workingDirectory, null, stdin, null, args);

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? stdin, params string[] args) =>
        RunAsync(workingDirectory, environment, stdin, null, args);

    /// <summary>
    /// Runs brigade to its end, or kills it (its whole tree) after <paramref name="timeout"/> (<see cref="DefaultTimeout"/>
    /// when null) and throws a <see cref="TimeoutException"/> with what it wrote: the caller's bound is the one that
    /// holds, longer or shorter than the default, and a brigade that overran it is not left running.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string? stdin, TimeSpan? timeout, params string[] args)
    {
        using var p = Start(workingDirectory, environment, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin);
        }

        p.StandardInput.Close();
        var bound = timeout ?? DefaultTimeout;
        using var limit = new CancellationTokenSource(bound);
        try
        {
            await p.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
            throw new TimeoutException($"brigade {string.Join(' ', args)} did not end within {bound.TotalSeconds:0.###} s (killed):\n{await stdout}{await stderr}");
        }

        return (p.ExitCode, await stdout, await stderr);
    }
}
