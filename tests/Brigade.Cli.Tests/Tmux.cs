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
}
