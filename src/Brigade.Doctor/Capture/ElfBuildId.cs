using System.Buffers.Binary;

namespace Brigade.Doctor.Capture;

/// <summary>Reads the GNU build id of a 64-bit little-endian ELF file (a local <c>libcoreclr.so</c>), to match it with a dump's.</summary>
internal static class ElfBuildId
{
    private const uint NoteGnuBuildId = 3;
    private const uint ProgramHeaderNote = 4;

    public static byte[]? Read(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length < 64 || bytes[0] != 0x7F || bytes[1] != (byte)'E' || bytes[4] != 2 || bytes[5] != 1)
            {
                return null;
            }

            var span = bytes.AsSpan();
            var phoff = (long)BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
            var phentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[54..]);
            var phnum = BinaryPrimitives.ReadUInt16LittleEndian(span[56..]);
            for (var i = 0; i < phnum; i++)
            {
                var ph = span[(int)(phoff + (i * phentsize))..];
                if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != ProgramHeaderNote)
                {
                    continue;
                }

                var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(ph[8..]);
                var size = (int)BinaryPrimitives.ReadUInt64LittleEndian(ph[32..]);
                var notes = span.Slice(offset, size);
                while (notes.Length >= 12)
                {
                    var nameSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes);
                    var descSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
                    var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
                    var nameEnd = 12 + Align4(nameSize);
                    if (type == NoteGnuBuildId && nameSize == 4 && notes[12..16].SequenceEqual("GNU\0"u8))
                    {
                        return notes.Slice(nameEnd, descSize).ToArray();
                    }

                    var next = nameEnd + Align4(descSize);
                    if (next <= 0 || next > notes.Length)
                    {
                        break;
                    }

                    notes = notes[next..];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }

        return null;
    }

    private static int Align4(int value) => (value + 3) & ~3;
}
