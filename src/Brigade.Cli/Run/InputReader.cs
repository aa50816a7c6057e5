using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>
/// Reads <c>brigade run</c>'s input lazily, one item at a time, so inputs of any size run in bounded memory. Items are
/// bytes as written (see <see cref="ByteText"/>): only LF ends a line (a CR before it is dropped; a lone CR is part of
/// the item), or NUL with <c>--null</c>.
/// </summary>
internal static class InputReader
{
    public static InputFormat Resolve(InputFormat format, string path)
    {
        if (format != InputFormat.Auto)
        {
            return format;
        }

        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".jsonl" or ".ndjson" => InputFormat.JsonLines,
            ".csv" => InputFormat.Csv,
            _ => InputFormat.Lines,
        };
    }

    /// <summary>Reads the items of <paramref name="input"/>.</summary>
    /// <param name="input">The input bytes.</param>
    /// <param name="format">How to read items (not <see cref="InputFormat.Auto"/>).</param>
    /// <param name="nullSeparated">Items end at NUL bytes instead of line ends (lines format only).</param>
    /// <param name="fingerprint">Told about every byte consumed, for resume checks; may be null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async IAsyncEnumerable<InputItem> ReadAsync(Stream input, InputFormat format, bool nullSeparated = false, InputFingerprint? fingerprint = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var records = new RecordReader(input, nullSeparated ? (byte)0 : (byte)'\n');
        long index = 0;
        long lineNumber = 0;
        IReadOnlyList<string>? header = null;
        while (true)
        {
            var raw = await records.NextAsync(cancellationToken).ConfigureAwait(false);
            if (raw.IsEmpty)
            {
                yield break;
            }

            lineNumber++;
            if (nullSeparated)
            {
                var content = raw.Span[^1] == 0 ? raw.Span[..^1] : raw.Span;
                var isItem = !content.IsEmpty;
                fingerprint?.Consume(raw.Span, isItem);
                if (isItem)
                {
                    yield return new InputItem(index++, lineNumber, ByteText.Decode(content));
                }

                continue;
            }

            // A UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of a CSV header's first name nor of the first JSON
            // item; the fingerprint still counts its bytes. Plain lines keep their bytes as written.
            var bom = lineNumber == 1 && format is InputFormat.Csv or InputFormat.JsonLines && raw.Span.StartsWith("\uFEFF"u8) ? 3 : 0;
            if (format == InputFormat.Csv)
            {
                var start = lineNumber;
                var consumed = new List<byte[]> { raw.ToArray() };
                var first = ByteText.Decode(LineContent(raw.Span[bom..]));
                var record = new StringBuilder(first);
                var scanner = default(CsvRecordScanner);
                scanner.Feed(first);

                // A quoted field may span lines: keep reading while the record ends inside one. The line break inside the
                // field is the value's, as the input wrote it (CRLF or LF).
                while (!scanner.IsComplete)
                {
                    var more = await records.NextAsync(cancellationToken).ConfigureAwait(false);
                    if (more.IsEmpty)
                    {
                        break;
                    }

                    var last = consumed[^1];
                    record.Append(last.Length >= 2 && last[^2] == '\r' ? "\r\n" : "\n");
                    lineNumber++;
                    consumed.Add(more.ToArray());
                    var next = ByteText.Decode(LineContent(more.Span));
                    record.Append(next);
                    scanner.Feed(next);
                }

                var text = record.ToString();
                InputItem? item;
                if (text.Length == 0)
                {
                    item = null;
                }
                else if (!Csv.TryParse(text, out var fields, out var error))
                {
                    item = new InputItem(index, start, text) { Malformed = $"line {start}: {error}", Header = header };
                }
                else if (header is null)
                {
                    header = fields;
                    item = null;
                }
                else
                {
                    item = fields.Count == header.Count
                        ? new InputItem(index, start, text) { Fields = fields, Header = header }
                        : new InputItem(index, start, text) { Malformed = $"line {start}: {fields.Count} fields where the header has {header.Count}", Header = header };
                }

                for (var i = 0; i < consumed.Count; i++)
                {
                    fingerprint?.Consume(consumed[i], item is not null && i == consumed.Count - 1);
                }

                if (item is not null)
                {
                    index++;
                    yield return item;
                }

                continue;
            }

            var line = LineContent(raw.Span[bom..]);
            if (IsBlank(line))
            {
                fingerprint?.Consume(raw.Span, isItem: false);
                continue;
            }

            if (format == InputFormat.JsonLines)
            {
                // JSON is UTF-8 text: parsed from the bytes, so a line that is not valid UTF-8 is a malformed item.
                JsonElement json;
                string? malformed = null;
                try
                {
                    using var doc = JsonDocument.Parse(line.ToArray());
                    json = doc.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    json = default;

                    // System.Text.Json appends its own (0-based, per-document) position; the input line is what helps.
                    var reason = e.Message;
                    var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
                    malformed = $"line {lineNumber}: not valid JSON: {(cut > 0 ? reason[..cut] : reason)}";
                }

                var text = ByteText.Decode(line);
                fingerprint?.Consume(raw.Span, isItem: true);
                yield return malformed is null
                    ? new InputItem(index++, lineNumber, text) { Json = json }
                    : new InputItem(index++, lineNumber, text) { Malformed = malformed };
                continue;
            }

            var plain = new InputItem(index++, lineNumber, ByteText.Decode(line));
            fingerprint?.Consume(raw.Span, isItem: true);
            yield return plain;
        }
    }

    /// <summary>Counts the items a lines input holds (blank lines are not items); for progress, so cheap and approximate is fine.</summary>
    public static long CountLines(string path, bool nullSeparated)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var separator = nullSeparated ? (byte)0 : (byte)'\n';
        var buffer = new byte[1 << 16];
        long count = 0;
        var blank = true;
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == separator)
                {
                    count += blank ? 0 : 1;
                    blank = true;
                }
                else if (blank && (nullSeparated || b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f')))
                {
                    blank = false;
                }
            }
        }

        return count + (blank ? 0 : 1);
    }

    // A line without its LF, and without the CR of a CRLF; a lone CR elsewhere stays.
    private static ReadOnlySpan<byte> LineContent(ReadOnlySpan<byte> raw)
    {
        if (!raw.IsEmpty && raw[^1] == '\n')
        {
            raw = raw[..^1];
            if (!raw.IsEmpty && raw[^1] == '\r')
            {
                raw = raw[..^1];
            }
        }

        return raw;
    }

    /// <summary>Gets whether a line (without its line end) is blank: no item.</summary>
    internal static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f'))
            {
                return b >= 0x80 && string.IsNullOrWhiteSpace(ByteText.Decode(line));
            }
        }

        return true;
    }
}
