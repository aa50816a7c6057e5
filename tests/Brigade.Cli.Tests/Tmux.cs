using System.Diagnostics;

namespace Brigade.Cli.Tests;

/// <summary>A real terminal for the tests that need one (progress, resize, Ctrl+C): tmux on a socket of the test's own.</summary>
internal static class Tmux
{
    /// <summary>Where ./test.sh installs it.</summary>
    public const string Path = "/usr/bin/tmux";

    /// <summary>Runs tmux on <paramref name="socket"/> (<c>-L</c>) with no configuration file, outside any tmux the
    /// tests run in; returns its standard output.</summary>
    public static async Task<string> RunAsync(string socket, params string[] args)
    {
        var psi = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-L");
        psi.ArgumentList.Add(socket);
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add("/dev/null");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("TMUX");
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }

    /// <summary>What a script in a pane of <paramref name="socket"/>'s server runs to let <see cref="WaitForAsync"/> on
    /// <paramref name="channel"/> return (a signal before the wait is kept: the wait then returns at once).</summary>
    public static string Signal(string socket, string channel) => $"{Path} -L {socket} wait-for -S {channel}";

    /// <summary>
    /// Waits for a pane's script to run <see cref="Signal"/> on <paramref name="channel"/>: one tmux client blocked in
    /// <c>wait-for</c>, not a <c>capture-pane</c> every 50 ms (a tmux process each, the test host's start of it and the
    /// server's copy of the screen). False after <paramref name="timeout"/>; the client left waiting ends with the server
    /// (the tests' <c>kill-server</c>).
    /// </summary>
    public static async Task<bool> WaitForAsync(string socket, string channel, TimeSpan timeout)
    {
        var wait = RunAsync(socket, "wait-for", channel);
        return ReferenceEquals(wait, await Task.WhenAny(wait, Task.Delay(timeout > TimeSpan.Zero ? timeout : TimeSpan.Zero)));
    }
}
