using System.Collections;
using System.Globalization;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// How long a command line the system lets <c>brigade run</c> start: an item whose command is longer fails with its
/// index and this reason, instead of the shell's launch failing with the operating system's "Argument list too long".
/// </summary>
/// <remarks>
/// Each command reaches the shell as one argument (<c>/bin/sh -c COMMAND</c>). Linux caps one argument at 32 pages
/// (<c>MAX_ARG_STRLEN</c>, 131,072 bytes with 4 KiB pages) and all arguments with the environment at <c>ARG_MAX</c>
/// (<c>getconf ARG_MAX</c>, a quarter of the stack limit, usually 2 MiB); macOS has only <c>ARG_MAX</c>; Windows'
/// <c>cmd.exe /c</c> takes 8,191 characters. The check is made where the command line is built (the template), whatever
/// starts the process, and keeps room for the runner's own wrapper around the command.
/// </remarks>
internal static class CommandLineLimit
{
    // The runner's wrapper around the command (reading the go line, reporting CPU time) and the {%} slot, with room to spare.
    private const int Reserve = 1024;

    private static readonly Lazy<(long Bytes, string Why)> Computed = new(Compute);

    /// <summary>Gets the longest command, in bytes, that an item may have.</summary>
    public static long Bytes => Computed.Value.Bytes;

    /// <summary>Throws <see cref="FormatException"/> (the item fails with this reason) when the command is too long to start.</summary>
    public static void Check(string command)
    {
        // Cheap first: a UTF-8 byte takes at least one char, and at most three per char.
        if ((long)command.Length * 3 <= Bytes)
        {
            return;
        }

        var length = Encoding.UTF8.GetByteCount(command);
        if (length > Bytes)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture,
                $"the command line for this item is {length:N0} bytes; the system's limit is {Bytes:N0} ({Computed.Value.Why}); put big items in files and pass their paths"));
        }
    }

    private static (long Bytes, string Why) Compute()
    {
        if (OperatingSystem.IsWindows())
        {
            return (8191 - 64, "cmd.exe takes 8,191 characters");
        }

        var argMax = NativeMethods.ArgMax();
        var environment = EnvironmentBytes();
        long total = argMax > 0 ? argMax - environment - Reserve : long.MaxValue;
        var totalWhy = argMax > 0 ? string.Create(CultureInfo.InvariantCulture, $"getconf ARG_MAX: {argMax:N0} for the arguments and the environment, which takes {environment:N0}") : "";
        if (OperatingSystem.IsLinux())
        {
            long perArgument = 32L * Environment.SystemPageSize;
            if (perArgument - Reserve <= total)
            {
                return (perArgument - Reserve, string.Create(CultureInfo.InvariantCulture, $"Linux takes {perArgument:N0} bytes in one argument, MAX_ARG_STRLEN, and the shell gets the command as one"));
            }
        }

        return argMax > 0 ? (Math.Max(0, total), totalWhy) : (256 * 1024 - Reserve, "an assumed 256 KiB");
    }

    // What the environment takes of ARG_MAX: each NAME=VALUE with its terminating NUL and its pointer.
    private static long EnvironmentBytes()
    {
        long bytes = 0;
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            bytes += Encoding.UTF8.GetByteCount($"{e.Key}={e.Value}") + 1 + IntPtr.Size;
        }

        return bytes;
    }
}
