using Microsoft.Win32.SafeHandles;

namespace Brigade.Cli;

/// <summary>
/// Standard output as a writer that reports a reader that went away: .NET's console drops writes to a broken pipe
/// without a word, so <c>brigade run ... | head -5</c> ran every command and exited 0 while its results went nowhere.
/// </summary>
/// <remarks>
/// Only for a pipe or socket (not seekable): a file has no reader to lose, and a stream of its own at the file's offset
/// would write over what the shell's other writers (stderr in <c>&gt; out 2&gt;&amp;1</c>) put there.
/// </remarks>
internal static class PipeOutput
{
    /// <summary>Returns standard output as a writer whose writes fail on a broken pipe, or null when it is not a pipe.</summary>
    public static TextWriter? Open()
    {
        if (!Console.IsOutputRedirected || OperatingSystem.IsWindows())
        {
            return null;
        }

        FileStream? stream = null;
        try
        {
            stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            if (stream.CanSeek)
            {
                stream.Dispose();
                return null;
            }

            return new ByteStdout(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            stream?.Dispose();
            return null;
        }
    }
}
