using System.IO.Hashing;
using System.Security.Cryptography;

namespace Brigade.Cli.Run;

/// <summary>
/// What a run has read of its input so far: how many bytes and items, and a hash of those bytes. Journaled with every
/// watermark, so a resume can tell that the input it reads now begins with exactly what the interrupted run read.
/// </summary>
/// <remarks>
/// The hash is XXH128, written <c>xxh128:</c> and 32 hex digits: it tells an edited or replaced input from the one a run
/// read, which needs no cryptographic hash (nobody forges an input to fool their own resume), and SHA-256 on .NET is
/// OpenSSL, which every run would load for this alone (~5 MiB of memory, ~10 ms of start-up). Journals written by an
/// earlier brigade hold a SHA-256 (64 hex digits, no prefix): <see cref="PrefixMatches"/> still checks those.
/// </remarks>
internal sealed class InputFingerprint
{
    private const string Prefix = "xxh128:";

    // Guards _hash, _bytes and _items: the input is read on the engine's workers, snapshots are taken by the writer.
    private readonly Lock _gate = new();
    private readonly XxHash128 _hash = new();
    private long _bytes;
    private long _items;

    // While a record is consumed in parts: what was read up to its start, which snapshots report until it ends.
    private (long Bytes, long Items, string Hash)? _recordStart;

    /// <summary>
    /// Records bytes consumed from the input that end a record (an item's record, a skipped blank line, a CSV header),
    /// or its last part after <see cref="ConsumePart"/>.
    /// </summary>
    public void Consume(ReadOnlySpan<byte> raw, bool isItem)
    {
        lock (_gate)
        {
            _hash.Append(raw);
            _bytes += raw.Length;
            if (isItem)
            {
                _items++;
            }

            _recordStart = null;
        }
    }

    /// <summary>
    /// Records part of a record (an oversized one, read block by block without being held, or a line of a CSV record
    /// that spans lines): hashed in order, so the hash is the one <see cref="Consume"/> of the whole record gives, but
    /// <see cref="Snapshot"/> reports the read up to the record's start until <see cref="Consume"/> ends it. A watermark
    /// never points inside a record.
    /// </summary>
    public void ConsumePart(ReadOnlySpan<byte> raw)
    {
        lock (_gate)
        {
            _recordStart ??= Current();
            _hash.Append(raw);
            _bytes += raw.Length;
        }
    }

    /// <summary>Gets the bytes and items read so far and the hash of those bytes (up to the last whole record).</summary>
    public (long Bytes, long Items, string Hash) Snapshot()
    {
        lock (_gate)
        {
            return _recordStart ?? Current();
        }
    }

    private (long Bytes, long Items, string Hash) Current() => (_bytes, _items, Prefix + Convert.ToHexStringLower(_hash.GetCurrentHash()));

    /// <summary>
    /// Whether the last item a run read of the file's first <paramref name="length"/> bytes (which already match) is no
    /// longer that item: it had no terminator (the input's last line without its line end) and bytes other than that
    /// terminator were appended right after it since (<c>echo more &gt;&gt; in.txt</c> makes its last line <c>lastmore</c>).
    /// Appending only the terminator (<c>\n</c>, <c>\r\n</c>, or NUL with <paramref name="nullSeparated"/>) keeps the item.
    /// A last line that was no item (blank, or only a CSV or JSON Lines byte order mark) is no item extended: the line it
    /// becomes is a new item.
    /// </summary>
    public static bool LastItemExtended(string path, long length, bool nullSeparated, InputFormat format = InputFormat.Lines)
    {
        if (length <= 0)
        {
            return false;
        }

        var terminator = nullSeparated ? (byte)0 : (byte)'\n';
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        if (file.Length <= length)
        {
            return false;
        }

        Span<byte> around = stackalloc byte[3];
        file.Position = length - 1;
        var read = file.ReadAtLeast(around, around.Length, throwOnEndOfStream: false);
        if (read < 2 || around[0] == terminator || (!nullSeparated && !LastLineIsItem(file, length, format)))
        {
            return false;
        }

        // A CR that was the item's last byte (no LF after it) is dropped once an LF follows: the item changed.
        return !(around[1] == terminator && (nullSeparated || around[0] != '\r'))
            && !(!nullSeparated && around[0] != '\r' && read == 3 && around[1] == '\r' && around[2] == '\n');
    }

    // Whether the unterminated last line of the first `length` bytes was an item as InputReader reads it: a blank line
    // (lines, JSON Lines) or a byte order mark alone (CSV, JSON Lines) was skipped. A line over 64 KiB counts as an item.
    private static bool LastLineIsItem(FileStream file, long length, InputFormat format)
    {
        var start = Math.Max(0, length - (1 << 16));
        var buffer = new byte[length - start];
        file.Position = start;
        file.ReadExactly(buffer);
        var lineStart = buffer.AsSpan().LastIndexOf((byte)'\n') + 1;
        if (lineStart == 0 && start > 0)
        {
            return true;
        }

        var line = buffer.AsSpan(lineStart);
        if (start == 0 && lineStart == 0 && format is InputFormat.Csv or InputFormat.JsonLines && line.StartsWith("\uFEFF"u8))
        {
            line = line[3..];
        }

        return format == InputFormat.Csv ? !line.IsEmpty : !InputReader.IsBlank(line);
    }

    /// <summary>
    /// Whether the first <paramref name="length"/> bytes of a file hash to <paramref name="expected"/> (as this class
    /// writes it, or an earlier brigade's SHA-256); false when the file is shorter.
    /// </summary>
    public static bool PrefixMatches(string path, long length, string expected)
    {
        NonCryptographicHashAlgorithm? fast = null;
        IncrementalHash? legacy = null;
        try
        {
            if (expected.StartsWith(Prefix, StringComparison.Ordinal))
            {
                fast = new XxHash128();
            }
            else
            {
                legacy = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            }

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            var buffer = new byte[1 << 16];
            var left = length;
            while (left > 0)
            {
                var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (read == 0)
                {
                    return false;
                }

                fast?.Append(buffer.AsSpan(0, read));
                legacy?.AppendData(buffer, 0, read);
                left -= read;
            }

            var actual = fast is not null
                ? Prefix + Convert.ToHexStringLower(fast.GetCurrentHash())
                : Convert.ToHexStringLower(legacy!.GetCurrentHash());
            return actual == expected;
        }
        finally
        {
            legacy?.Dispose();
        }
    }
}
