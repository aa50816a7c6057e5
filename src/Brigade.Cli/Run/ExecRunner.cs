using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>Runs one command through the shell, capturing its output; kills the whole process tree on timeout or cancellation.</summary>
internal static class ExecRunner
{
    private const int StderrTailBytes = 2048;

    // Appended to the command so the shell reports its children's CPU time on stderr when they are done (POSIX
    // `times`: two lines, the shell's user/system time, then its children's); the lines are taken off stderr again.
    private const string CpuMarker = "__brigade_cpu__";

    /// <summary>Runs the command; returns its stdout and the CPU time its processes used, when the shell reported it.</summary>
    public static async Task<(byte[] Output, TimeSpan? CpuTime)> RunAsync(string command, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var psi = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/d", "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"{{ {command}\n}}; __brigade_status=$?; echo {CpuMarker} >&2; times >&2; exit $__brigade_status" } };
        psi.RedirectStandardInput = true;
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ExecFailedException($"could not start the shell: {e.Message}", null, null);
        }

        ExecReaper.Track(process.Id);
        try
        {
            return await WaitAsync(process, timeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExecReaper.Untrack(process.Id);
        }
    }

    private static async Task<(byte[] Output, TimeSpan? CpuTime)> WaitAsync(Process process, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var readOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
        var readErr = ReadTailAsync(process.StandardError.BaseStream);

        using var deadline = timeout is { } t ? new CancellationTokenSource(t) : null;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline?.Token ?? CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await Task.WhenAll(readOut, readErr).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ExecFailedException($"timed out after {timeout!.Value.TotalSeconds:0.###} s (process tree killed)", null, TakeCpuTimes(await readErr.ConfigureAwait(false)).Stderr);
        }

        await readOut.ConfigureAwait(false);
        var (tail, cpu) = TakeCpuTimes(await readErr.ConfigureAwait(false));
        if (process.ExitCode != 0)
        {
            var what = process.ExitCode > 128 && !OperatingSystem.IsWindows()
                ? $"exit code {process.ExitCode} (signal {process.ExitCode - 128})"
                : $"exit code {process.ExitCode}";
            if (process.ExitCode == 127 && !OperatingSystem.IsWindows())
            {
                what += ": command not found";
            }

            throw new ExecFailedException(tail.Length > 0 ? $"{what}: {LastLine(tail)}" : what, process.ExitCode, tail);
        }

        return (stdout.ToArray(), cpu);
    }

    /// <summary>Splits the shell's <c>times</c> report off the end of stderr; returns the rest and the children's user + system time.</summary>
    internal static (string Stderr, TimeSpan? Cpu) TakeCpuTimes(string stderr)
    {
        var at = stderr.LastIndexOf(CpuMarker, StringComparison.Ordinal);
        if (at < 0)
        {
            return (stderr, null);
        }

        var lines = stderr[(at + CpuMarker.Length)..].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rest = stderr[..at].TrimEnd();
        if (lines.Length < 2)
        {
            return (rest, null);
        }

        // "0m0.120000s 0m0.010000s": children's user and system time.
        var total = TimeSpan.Zero;
        foreach (var part in lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var m = part.IndexOf('m', StringComparison.Ordinal);
            if (m <= 0 || !part.EndsWith('s') ||
                !int.TryParse(part[..m], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minutes) ||
                !double.TryParse(part[(m + 1)..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                return (rest, null);
            }

            total += TimeSpan.FromMinutes(minutes) + TimeSpan.FromSeconds(seconds);
        }

        return (rest, total);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static async Task<string> ReadTailAsync(Stream stream)
    {
        var buffer = new byte[4096];
        var tail = new Queue<byte>();
        int read;
        while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                tail.Enqueue(buffer[i]);
            }

            while (tail.Count > StderrTailBytes)
            {
                tail.Dequeue();
            }
        }

        return Encoding.UTF8.GetString(tail.ToArray()).TrimEnd();
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 ? lines[^1] : text;
    }
}
