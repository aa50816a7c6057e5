using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// This process's environment as the bytes the kernel gave it, for the environments brigade hands on (its commands',
/// its own restart's): .NET's view decodes every variable as UTF-8, and a value that is not (a Latin-1 file name in
/// <c>$FILE</c>) came out with U+FFFD in place of its bytes, where <c>xargs</c> passes it unchanged (review 45).
/// </summary>
/// <remarks>
/// What .NET's view says is still what is passed on: brigade takes variables out of it (<see cref="RunRestart"/>, an
/// outer brigade's values), and those are gone from its view, not from the C library's <c>environ</c>. So each
/// variable of .NET's view is written as <c>environ</c>'s bytes for it when those decode to exactly that name and value,
/// else as the UTF-8 of what .NET has.
/// </remarks>
internal static unsafe class NativeEnvironment
{
    /// <summary>Gets <c>NAME=value</c> entries, as bytes without the terminating NUL, for the variables of .NET's
    /// environment that <paramref name="keep"/> accepts (by name).</summary>
    /// <param name="keep">Whether a variable (by its name as .NET decoded it) is passed on.</param>
    public static List<byte[]> Entries(Func<string, bool> keep)
    {
        var native = Native();
        var entries = new List<byte[]>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is not string name || !keep(name))
            {
                continue;
            }

            var value = entry.Value as string ?? "";
            entries.Add(native.TryGetValue(name, out var bytes) && Decodes(bytes, value)
                ? bytes
                : Encoding.UTF8.GetBytes($"{name}={value}"));
        }

        return entries;
    }

    // Whether the entry's value (after "NAME=") decodes to the value .NET holds.
    private static bool Decodes(byte[] entry, string value)
    {
        var separator = Array.IndexOf(entry, (byte)'=');
        return separator >= 0 && string.Equals(Encoding.UTF8.GetString(entry, separator + 1, entry.Length - separator - 1), value, StringComparison.Ordinal);
    }

    // environ's entries by their name decoded as .NET decodes it (the first of a name, as getenv finds it); none where
    // environ cannot be found.
    private static Dictionary<string, byte[]> Native()
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (OperatingSystem.IsWindows() || !TryFindEnviron(out var environ) || environ is null)
        {
            return entries;
        }

        for (var entry = environ; *entry is not null; entry++)
        {
            var bytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(*entry);
            var separator = bytes.IndexOf((byte)'=');
            if (separator <= 0)
            {
                continue;
            }

            entries.TryAdd(Encoding.UTF8.GetString(bytes[..separator]), bytes.ToArray());
        }

        return entries;
    }

    private static bool TryFindEnviron(out byte** environ)
    {
        environ = null;
        foreach (var library in (ReadOnlySpan<string>)["libc.so.6", "libc", "/usr/lib/libSystem.dylib"])
        {
            if (NativeLibrary.TryLoad(library, out var handle) && NativeLibrary.TryGetExport(handle, "environ", out var address))
            {
                environ = *(byte***)address;
                return true;
            }
        }

        return false;
    }
}
