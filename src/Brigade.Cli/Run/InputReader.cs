using System.Globalization;
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

    /// <summary>The longest record brigade reads as one item, whatever the work and format: 16 MiB.</summary>
    public const long WorkRecordBytes = 16L << 20;

    /// <summary>Test seam: a smaller record limit for the runs of this async flow (tests need no 1 GB file).</summary>
    internal static readonly AsyncLocal<long?> RecordLimitOverride = new();

    // The one limit, whatever the work and format. A plain line for --exec longer than a command line can carry is still
    // held and fails on its command (review 42: the failures file keeps it whole, the terminal shows its start); only a
    // record past 16 MiB is read through without being held (review 51: a 1.1 GB line ran the process out of memory).
    // Review 51 first capped --exec lines at the command-line limit, which cut the failures file's copy of a 3 MB line to
    // its first 1,024 bytes (review 42's tests failed).
    private static readonly RecordLimit WorkLimit = new(WorkRecordBytes, "bytes brigade reads as one item (16 MiB)");

    /// <summary>Reads the items of <paramref name="input"/>.</summary>
    /// <param name="input">The input bytes.</param>
    /// <param name="format">How to read items (not <see cref="InputFormat.Auto"/>).</param>
    /// <param name="nullSeparated">Items end at NUL bytes instead of line ends (lines format only).</param>
    /// <param name="fingerprint">Told about every byte consumed, for resume checks; may be null.</param>
    /// <param name="limit">The longest record read as an item (default 16 MiB): a longer one is read through without
    /// being held and becomes a malformed item that says its line and length.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    public static async IAsyncEnumerable<InputItem> ReadAsync(Stream input, InputFormat format, bool nullSeparated = false, InputFingerprint? fingerprint = null, RecordLimit? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cap = limit ?? (RecordLimitOverride.Value is { } small ? WorkLimit with { Bytes = small } : WorkLimit);
        var separator = nullSeparated ? (byte)0 : (byte)'\n';
        var csv = format == InputFormat.Csv && !nullSeparated ? new CsvSpill() : null;

        // An oversized record's bytes pass through here as they are read, in order, and are not kept: hashed for the
        // fingerprint (the same hash as the whole record's) and, in a CSV record, scanned for where the record ends.
        var records = new RecordReader(input, separator, cap.Bytes, chunk =>
        {
            fingerprint?.ConsumePart(chunk.Span);
            if (csv is not null)
            {
                csv.Scanner.Feed(chunk.Span);
            }
        });
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
            if (raw.Oversized && csv is null)
            {
                // Its bytes are hashed already; this ends the record, an item.
                fingerprint?.Consume([], isItem: true);
                yield return new InputItem(index++, lineNumber, ByteText.Decode(Content(raw.Bytes.Span, separator))) { Malformed = TooLong(lineNumber, raw.ContentLength, 1, cap) };
                continue;
            }

            if (nullSeparated)
            {
                var content = raw.Bytes.Span[^1] == 0 ? raw.Bytes.Span[..^1] : raw.Bytes.Span;
                var isItem = !content.IsEmpty;
                fingerprint?.Consume(raw.Bytes.Span, isItem);
                if (isItem)
                {
                    yield return new InputItem(index++, lineNumber, ByteText.Decode(content));
                }

                continue;
            }

            // A UTF-8 byte order mark (Excel's "CSV UTF-8") is not part of a CSV header's first name nor of the first JSON
            // item; the fingerprint still counts its bytes. Plain lines keep their bytes as written.
            var bom = lineNumber == 1 && format is InputFormat.Csv or InputFormat.JsonLines && raw.Bytes.Span.StartsWith("\uFEFF"u8) ? 3 : 0;
            if (csv is not null)
            {
                var start = lineNumber;
                var oversized = raw.Oversized;
                var length = raw.Length;
                var terminated = raw.Terminated;
                var crlf = !oversized && raw.Bytes.Span.EndsWith("\r\n"u8);
                var first = ByteText.Decode(LineContent(raw.Bytes.Span[bom..]));
                var record = new StringBuilder(first);
                if (!oversized)
                {
                    // Each line is hashed as it is read; the record's end (below) is what a watermark may point at.
                    fingerprint?.ConsumePart(raw.Bytes.Span);
                    csv.Scanner.Feed(first);
                }

                // A quoted field may span lines: keep reading while the record ends inside one. The line break inside the
                // field is the value's, as the input wrote it (CRLF or LF). A record over the limit, whether one line is
                // or all of them together, is read through to its end without being held.
                while (!csv.Scanner.IsComplete)
                {
                    var more = await records.NextAsync(cancellationToken).ConfigureAwait(false);
                    if (more.IsEmpty)
                    {
                        break;
                    }

                    lineNumber++;
                    length += more.Length;
                    terminated = more.Terminated;
                    if (more.Oversized)
                    {
                        oversized = true;
                        continue;
                    }

                    fingerprint?.ConsumePart(more.Bytes.Span);
                    oversized |= length - (terminated ? 1 : 0) > cap.Bytes;
                    if (oversized)
                    {
                        csv.Scanner.Feed(more.Bytes.Span);
                        continue;
                    }

                    record.Append(crlf ? "\r\n" : "\n");
                    crlf = more.Bytes.Span.EndsWith("\r\n"u8);
                    var next = ByteText.Decode(LineContent(more.Bytes.Span));
                    record.Append(next);
                    csv.Scanner.Feed(next);
                }

                csv.Scanner = default;
                var text = record.ToString();
                InputItem? item;
                if (oversized)
                {
                    item = new InputItem(index, start, text.Length > RecordReader.KeptBytes ? text[..RecordReader.KeptBytes] : text)
                    {
                        Malformed = TooLong(start, length - (terminated ? 1 : 0), lineNumber - start + 1, cap),
                        Header = header,
                    };

                    // An oversized header leaves no names to read the records by: each of them fails for its field count.
                    header ??= [];
                }
                else if (text.Length == 0)
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

                fingerprint?.Consume([], item is not null);
                if (item is not null)
                {
                    index++;
                    yield return item;
                }

                continue;
            }

            var line = LineContent(raw.Bytes.Span[bom..]);
            if (IsBlank(line))
            {
                fingerprint?.Consume(raw.Bytes.Span, isItem: false);
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
                fingerprint?.Consume(raw.Bytes.Span, isItem: true);
                yield return malformed is null
                    ? new InputItem(index++, lineNumber, text) { Json = json }
                    : new InputItem(index++, lineNumber, text) { Malformed = malformed };
                continue;
            }

            var plain = new InputItem(index++, lineNumber, ByteText.Decode(line));
            fingerprint?.Consume(raw.Bytes.Span, isItem: true);
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

    // Why an oversized record is an item that fails: its line, its length and the limit, in words.
    private static string TooLong(long line, long length, long lines, RecordLimit cap)
    {
        var size = length >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $" ({length / 1e9:0.0} GB)") : "";
        if (length is >= 1_000_000 and < 1_000_000_000)
        {
            size = string.Create(CultureInfo.InvariantCulture, $" ({length / 1e6:0.0} MB)");
        }

        var spanning = lines > 1 ? string.Create(CultureInfo.InvariantCulture, $" (a record of {lines:N0} lines)") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"line {line} is {length:N0} bytes{size}{spanning}, over the {cap.Bytes:N0} {cap.Why}; it was read through without being held (only its first {RecordReader.KeptBytes:N0} bytes are kept, as the item's text): put big items in files and pass their paths");
    }

    // An oversized record's kept start without its separator (all of it when the limit is under the kept bytes).
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> kept, byte separator) =>
        separator == 0 ? (!kept.IsEmpty && kept[^1] == 0 ? kept[..^1] : kept) : LineContent(kept);

    private sealed class CsvSpill
    {
        // Where the CSV record being read is: fed each line (as text) or each block of an oversized line (as bytes).
        public CsvRecordScanner Scanner;
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
