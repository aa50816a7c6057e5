using System.Text;

namespace Brigade.Engines.Remote;

/// <summary>A large value's bytes that a <see cref="RemoteValueBuffer"/> refers to rather than copies: they belong after the
/// buffer's first <paramref name="At"/> bytes.</summary>
/// <param name="At">How many of the buffer's own bytes come before them.</param>
/// <param name="Bytes">The value's bytes, where the work left them (a <c>byte[]</c> result's own array); empty for a
/// <paramref name="Text"/>.</param>
/// <param name="Text">A string whose UTF-8 encoding is the value's bytes, encoded only as they are written (review 66: a 10 MB
/// string was encoded into a buffer grown for it first), or <see langword="null"/> for <paramref name="Bytes"/>.</param>
/// <param name="TextBytes">The length of <paramref name="Text"/>'s UTF-8 encoding, counted when it was referred to.</param>
internal readonly record struct RemoteValueReference(int At, ReadOnlyMemory<byte> Bytes, string? Text = null, int TextBytes = 0)
{
    /// <summary>Gets how many bytes the value takes on the wire.</summary>
    public int Length => Text is null ? Bytes.Length : TextBytes;

    /// <summary>Writes the value's bytes into <paramref name="destination"/> (at least <see cref="Length"/> long).</summary>
    public void CopyTo(Span<byte> destination)
    {
        if (Text is null)
        {
            Bytes.Span.CopyTo(destination);
        }
        else if (Encoding.UTF8.GetBytes(Text, destination) != TextBytes)
        {
            throw new InvalidOperationException("A string referred to encoded to another length than was counted.");
        }
    }
}
