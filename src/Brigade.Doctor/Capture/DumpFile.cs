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
    }
}
