using System.Buffers.Binary;

namespace Brigade.Doctor.Capture;

/// <summary>Checks that a file is a core dump before ClrMD reads it, so a wrong file gets a clear one-line error.</summary>
internal static class DumpFile
{
    public static void Validate(string path)
    {
        if (!File.Exists(path))
        {
            throw new DoctorException(DoctorErrorKind.DumpNotFound, Directory.Exists(path) ? $"'{path}' is a directory, not a dump file" : $"no dump file '{path}'");
        }

        Span<byte> header = stackalloc byte[18];
        int read;
        try
        {
            using var stream = File.OpenRead(path);
            read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new DoctorException(DoctorErrorKind.PermissionDenied, $"permission denied reading '{path}': run as its owner or as root", e);
        }
        catch (IOException e)
        {
            throw new DoctorException(DoctorErrorKind.NotADump, $"'{path}' could not be read: {e.Message}", e);
        }

        // ELF core file (e_type 4), Windows minidump ("MDMP"), or Mach-O core (64-bit magic, filetype 4).
        var isElfCore = read >= 18 && header[0] == 0x7F && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F' && header[16] == 4 && header[17] == 0;
        var isMinidump = read >= 4 && header[0] == (byte)'M' && header[1] == (byte)'D' && header[2] == (byte)'M' && header[3] == (byte)'P';
        var isMachCore = read >= 16 && header[0] == 0xCF && header[1] == 0xFA && header[2] == 0xED && header[3] == 0xFE && header[12] == 4;
        if (!isElfCore && !isMinidump && !isMachCore)
        {
            var what = read >= 4 && header[0] == 0x7F && header[1] == (byte)'E' ? "an ELF file but not a core dump" : read == 0 ? "empty" : "not a core dump";
            throw new DoctorException(DoctorErrorKind.NotADump, $"'{path}' is {what} (expected a dump from 'brigade doctor --keep-dump', dotnet-dump collect or a core file)");
        }

        if (isElfCore && ElfExtent(path) is { } extent && extent.Needed > extent.Length)
        {
            throw new DoctorException(DoctorErrorKind.IncompleteDump,
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"'{path}' is truncated: {extent.Length:N0} bytes of the {extent.Needed:N0} its headers describe (a copy cut short, a full disk, a dump that was stopped); take the dump again"));
        }
    }

    /// <summary>The file's length and how long its ELF headers say it is (program header table, then every segment's
    /// bytes); null when the header is not one this reads (a 32-bit or big-endian core, an extended segment count).</summary>
    private static (long Length, long Needed)? ElfExtent(string path)
    {
        using var stream = File.OpenRead(path);
        var length = stream.Length;
        Span<byte> header = stackalloc byte[64];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
        {
            return (length, header.Length);
        }

        // 64-bit little-endian only (every .NET Linux target but arm32).
        if (header[4] != 2 || header[5] != 1)
        {
            return null;
        }

        var tableOffset = BinaryPrimitives.ReadInt64LittleEndian(header[0x20..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x36..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x38..]);
        if (count == 0xFFFF || entrySize < 56 || tableOffset < 0)
        {
            return null;
        }

        var needed = tableOffset + ((long)entrySize * count);
        if (needed > length)
        {
            return (length, needed);
        }

        var table = new byte[entrySize * count];
        stream.Position = tableOffset;
        stream.ReadExactly(table);
        for (var i = 0; i < count; i++)
        {
            var entry = table.AsSpan(i * entrySize, entrySize);
            var offset = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
            var size = BinaryPrimitives.ReadInt64LittleEndian(entry[32..]);
            if (offset >= 0 && size > 0)
            {
                needed = Math.Max(needed, offset + size);
            }
        }

        return (length, needed);
    }
}
