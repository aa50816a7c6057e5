using System.Security.Cryptography;

namespace Brigade.Cli.Run;

/// <summary>
/// What a run has read of its input so far: how many bytes and items, and a SHA-256 of those bytes. Journaled with
/// every watermark, so a resume can tell that the input it reads now begins with exactly what the interrupted run read.
/// </summary>
internal sealed class InputFingerprint : IDisposable
{
    // Guards _hash, _bytes and _items: the input is read on the engine's workers, snapshots are taken by the writer.
    private readonly Lock _gate = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _bytes;
    private long _items;

    /// <summary>Records bytes consumed from the input (an item's record, a skipped blank line, a CSV header).</summary>
    public void Consume(ReadOnlySpan<byte> raw, bool isItem)
    {
        lock (_gate)
        {
            _hash.AppendData(raw);
            _bytes += raw.Length;
            if (isItem)
            {
                _items++;
            }
        }
    }

    /// <summary>Gets the bytes and items read so far and the hash of those bytes (hex).</summary>
    public (long Bytes, long Items, string Sha256) Snapshot()
    {
        lock (_gate)
        {
            return (_bytes, _items, Convert.ToHexStringLower(_hash.GetCurrentHash()));
        }
    }

    /// <summary>Hashes the first <paramref name="length"/> bytes of a file; null when it is shorter.</summary>
    public static string? HashPrefix(string path, long length)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var left = length;
        while (left > 0)
        {
            var read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                return null;
            }

            hash.AppendData(buffer, 0, read);
            left -= read;
        }

        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    public void Dispose() => _hash.Dispose();
}
