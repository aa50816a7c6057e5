using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>A child process of this CLI (a hidden command), for the scenes that need a process of their own to watch or
/// diagnose: started through the dotnet host, ended by closing its standard input.</summary>
internal static class CliChild
{
    /// <summary>Starts <c>brigade ARGS</c> with its standard streams redirected.</summary>
    /// <param name="arguments">The command line after the CLI.</param>
    public static Process Start(params string[] arguments)
    {
        // The CLI itself, through the dotnet host, whatever launched this process (an apphost, dotnet, a test host).
        var dotnet = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet"
            ? self
            : Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        var psi = new ProcessStartInfo(File.Exists(dotnet) ? dotnet : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(typeof(CliChild).Assembly.Location);
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the child process");
    }

    /// <summary>Ends the child: closing its standard input ends it; killed if it has not gone within 5 s.</summary>
    /// <param name="child">The child.</param>
    public static async Task StopAsync(Process child)
    {
        try
        {
            child.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await child.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            if (!child.HasExited)
            {
                // Killed, it cannot remove its runtime's files from the temporary directory: removed once it is seen dead (review 72).
                var startTime = Brigade.Internal.RuntimeIpcFiles.StartTime(child.Id);
                child.Kill(entireProcessTree: true);
                using var death = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await child.WaitForExitAsync(death.Token).ConfigureAwait(false);
                    _ = Brigade.Internal.RuntimeIpcFiles.RemoveAfterKill(child.Id, startTime, Brigade.Internal.RuntimeIpcFiles.TemporaryDirectoryOf(child.StartInfo));
                }
                catch (OperationCanceledException)
                {
                    // Not dead within 5 s (stuck in the kernel): its files stay.
                }
            }
        }
    }
}
