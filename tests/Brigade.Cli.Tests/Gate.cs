using System.Diagnostics;

namespace Brigade.Cli.Tests;

/// <summary>
/// A gate commands wait at without polling: a FIFO the test host holds open for reading and writing, so a command's
/// <c>read _ &lt; FIFO</c> (a shell builtin: no process) opens it at once and blocks until the test lets a line through;
/// each waiting command takes one line (sh reads a pipe a byte at a time). It replaces loops such as
/// <c>while [ ! -e go ]; do sleep 0.05; done</c>, which start a process every 50 ms for every command waiting (~10 ms of
/// CPU each, half of it the kernel's, on the 2-core CI machine). The test host's end stays open until the gate is
/// disposed: a command that opens the FIFO after the last line was let through blocks (no writer), it never spins.
/// </summary>
internal sealed class Gate : IDisposable
{
    private readonly FileStream pipe;

    private Gate(string path)
    {
        Path = path;
        // O_RDWR on a FIFO does not wait for a partner (Linux), and keeps a writer (for the commands' open) and a reader
        // (so a command that writes to it never blocks) for as long as the test holds it.
        pipe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
    }

    /// <summary>The FIFO's path, for the commands' <c>read _ &lt; PATH</c>.</summary>
    public string Path { get; }

    /// <summary>What a command runs to wait at the gate: returns once a line is let through.</summary>
    public string Wait => $"read _ < {Path}";

    /// <summary>Makes a gate at <paramref name="name"/> in <paramref name="dir"/>; null where there are no FIFOs (not Linux).</summary>
    public static Gate? Make(TempDirectory dir, string name = "gate")
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        using (var mkfifo = Process.Start("mkfifo", [dir.File(name)])!)
        {
            mkfifo.WaitForExit();
            if (mkfifo.ExitCode != 0)
            {
                return null;
            }
        }

        return new Gate(dir.File(name));
    }

    /// <summary>Lets <paramref name="count"/> waiting (or future) commands through, one line each.</summary>
    public void Let(int count)
    {
        var lines = new byte[count];
        Array.Fill(lines, (byte)'\n');
        pipe.Write(lines);
        pipe.Flush();
    }

    public void Dispose() => pipe.Dispose();
}
