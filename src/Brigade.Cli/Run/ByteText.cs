using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Input bytes as .NET text without losing any: valid UTF-8 decodes as usual, and each byte that is not part of valid
/// UTF-8 becomes a lone low surrogate U+DC80..U+DCFF (the "surrogateescape" of Python and Rust's OsStr), which valid
/// input can never produce. So an item reaches a command byte for byte, whatever its encoding (Latin-1 file names).
/// </summary>
internal static class ByteText
{
    private const char EscapeBase = '\uDC00';

    /// <summary>Decodes bytes; invalid UTF-8 bytes become escape characters.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        // The common case, valid UTF-8, in one call.
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var text = new StringBuilder(bytes.Length);
        Span<char> pair = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                text.Append(pair[..rune.EncodeToUtf16(pair)]);
            }
            else
            {
                // Escape the first byte only: the next one may start a valid sequence.
                consumed = 1;
                text.Append((char)(EscapeBase | bytes[0]));
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>Encodes text back to the input's exact bytes (the inverse of <see cref="Decode"/>): escape characters become
    /// the bytes they stand for, everything else UTF-8.</summary>
    public static byte[] Encode(string value)
    {
        if (!HasEscapedBytes(value))
        {
            return Encoding.UTF8.GetBytes(value);
        }

        var bytes = new List<byte>(value.Length);
        Span<byte> rune = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsEscapedByte(c))
            {
                bytes.Add(EscapedByte(c));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                var n = new System.Text.Rune(c, value[++i]).EncodeToUtf8(rune);
                bytes.AddRange(rune[..n]);
            }
            else
            {
                var n = System.Text.Rune.TryCreate(c, out var r) ? r.EncodeToUtf8(rune) : System.Text.Rune.ReplacementChar.EncodeToUtf8(rune);
                bytes.AddRange(rune[..n]);
            }
        }

        return [.. bytes];
    }

    /// <summary>Gets whether <paramref name="c"/> stands for an input byte that was not valid UTF-8.</summary>
    public static bool IsEscapedByte(char c) => c is >= '\uDC80' and <= '\uDCFF';

    /// <summary>Gets the input byte an escape character stands for.</summary>
    public static byte EscapedByte(char c) => (byte)(c & 0xFF);

    /// <summary>Gets whether the character at <paramref name="i"/> stands for an input byte that was not valid UTF-8: an
    /// escape character that is not the second half of a surrogate pair (U+1F4C1 is U+D83D U+DCC1).</summary>
    public static bool IsEscapeAt(string text, int i) => IsEscapedByte(text[i]) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));

    /// <summary>Gets whether the text holds bytes that were not valid UTF-8.</summary>
    public static bool HasEscapedBytes(string text)
    {
        var span = text.AsSpan();
        for (var start = 0; ;)
        {
            var found = span[start..].IndexOfAnyInRange('\uDC80', '\uDCFF');
            if (found < 0)
            {
                return false;
            }

            if (IsEscapeAt(text, start + found))
            {
                return true;
            }

            start += found + 1;
        }
    }

    /// <summary>Replaces escaped bytes with U+FFFD, as a standard UTF-8 decoder would (for .NET work that takes a string).</summary>
    public static string ToText(string text) =>
        HasEscapedBytes(text) ? string.Create(text.Length, text, static (span, t) =>
        {
            for (var i = 0; i < t.Length; i++)
            {
                span[i] = IsEscapeAt(t, i) ? '\uFFFD' : t[i];
            }
        }) : text;
}
