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

    /// <summary>
    /// Test seam, and the only way to change the limit: a smaller record limit for the reads of this async flow (tests need
    /// no 1 GB file), the runs of brigade run it starts in-process included.
    /// </summary>
    /// <remarks>Before run52 <see cref="ReadAsync"/> also took a limit parameter: two seams for one limit.</remarks>
    internal static readonly AsyncLocal<long?> RecordLimitOverride = new();

    // The one limit, whatever the work and format. A plain line for --exec longer than a command line can carry is still
    // held and fails on its command (review 42: the failures file keeps it whole, the terminal shows its start); only a
    // record past 16 MiB is read through without being held (review 51: a 1.1 GB line ran the process out of memory).
    // Review 51 first capped --exec lines at the command-line limit, which cut the failures file's copy of a 3 MB line to
    // its first 1,024 bytes (review 42's tests failed).
    /// <summary>Gets the record limit in force for this async flow: <see cref="WorkRecordBytes"/> unless a test lowered it.</summary>
    internal static long RecordBytes => RecordLimitOverride.Value ?? WorkRecordBytes;

    /// <summary>Reads the items of <paramref name="input"/>.</summary>
    /// <param name="input">The input bytes.</param>
    /// <param name="format">How to read items (not <see cref="InputFormat.Auto"/>).</param>
    /// <param name="nullSeparated">Items end at NUL bytes instead of line ends (lines format only).</param>
    /// <param name="fingerprint">Told about every byte consumed, for resume checks; may be null.</param>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <remarks>A record longer than the limit (16 MiB; <see cref="RecordLimitOverride"/>) is read through without being
    /// held and becomes an item that fails (<see cref="InputItem.Oversized"/>), saying its line and length; one of blanks
    /// only is a blank line, skipped as a short one is.</remarks>
    /// <exception cref="CliUsageException">A CSV header over the limit: no column names to read the records by.</exception>
    public static async IAsyncEnumerable<InputItem> ReadAsync(Stream input, InputFormat format, bool nullSeparated = false, InputFingerprint? fingerprint = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var limit = RecordBytes;
        var separator = nullSeparated ? (byte)0 : (byte)'\n';
        var csv = format == InputFormat.Csv && !nullSeparated ? new CsvSpill() : null;

        // An oversized record's bytes pass through here as they are read, in order, and are not kept: hashed for the
        // fingerprint (the same hash as the whole record's), in a CSV record scanned for where the record ends, and in a
        // line checked for anything but blanks (a blank line is no item however long: CountLines skips it too).
        var spill = new Spill();
        var records = new RecordReader(input, separator, limit, chunk =>
        {
            fingerprint?.ConsumePart(chunk.Span);
            if (csv is not null)
            {
                csv.Scanner.Feed(chunk.Span);
            }
            else if (!nullSeparated)
            {
                spill.Blank.Add(chunk.Span);
            }
        });

        // A regular file's size as the read begins: a file that ends before it shrank while it was read (truncated or
        // rewritten by another program), and its last record read may be a piece of a line (see Cut).
        var sizeAtStart = input.CanSeek ? input.Length - input.Position : (long?)null;
        long consumed = 0;
        long index = 0;
        long lineNumber = 0;
        IReadOnlyList<string>? header = null;
        while (true)
        {
            spill.Blank = default;
            var raw = await records.NextAsync(cancellationToken).ConfigureAwait(false);
            if (raw.IsEmpty)
            {
                yield break;
            }

            lineNumber++;
            consumed += raw.Length;
            var cut = raw.Terminated ? null : Cut(lineNumber, consumed, sizeAtStart);
            if (lineNumber == 1 && raw.Bytes.Span is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
            {
                // A UTF-16 file (Windows' "Unicode" text): every line held NUL bytes, and each item failed as "the value holds
                // a NUL byte" (run52), the last one a lone NUL. Said at once, before anything runs, with the way out.
                throw new CliUsageException("the input is UTF-16 text (it starts with a UTF-16 byte order mark); brigade reads UTF-8: convert it first (iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8)");
            }

            if (raw.Oversized && csv is null)
            {
                // Its bytes are hashed already; this ends the record: an item, unless it was blanks only (a blank line).
                var blank = spill.Blank.Blank && !nullSeparated;
                fingerprint?.Consume([], isItem: !blank);
                if (!blank)
                {
                    yield return new InputItem(index++, lineNumber, ByteText.Decode(Content(raw.Bytes.Span, separator))) { Malformed = cut ?? TooLong(lineNumber, raw.ContentLength, 1, limit), Oversized = cut is null, CutShort = cut is not null };
                }

                continue;
            }

            if (nullSeparated)
            {
                var content = raw.Bytes.Span[^1] == 0 ? raw.Bytes.Span[..^1] : raw.Bytes.Span;
                var isItem = !content.IsEmpty;
                fingerprint?.Consume(raw.Bytes.Span, isItem);
                if (isItem)
                {
                    yield return new InputItem(index++, lineNumber, ByteText.Decode(content)) { Malformed = cut, CutShort = cut is not null };
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
                    consumed += more.Length;
                    length += more.Length;
                    terminated = more.Terminated;
                    cut = terminated ? null : Cut(lineNumber, consumed, sizeAtStart);
                    if (more.Oversized)
                    {
                        oversized = true;
                        continue;
                    }

                    fingerprint?.ConsumePart(more.Bytes.Span);
                    oversized |= length - (terminated ? 1 : 0) > limit;
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
                if (oversized && header is null)
                {
                    // An oversized header leaves no names to read the records by: each of them failed for its field count
                    // (0 in the header), and the header itself was item 0, failed. Said at once, before anything runs.
                    throw new CliUsageException($"the CSV header: {TooLong(start, length - (terminated ? 1 : 0), lineNumber - start + 1, limit, item: false)}; without it there are no column names to read the records by (is the file CSV? --format lines reads one item per line)");
                }

                if (oversized)
                {
                    item = new InputItem(index, start, text.Length > RecordReader.KeptBytes ? text[..RecordReader.KeptBytes] : text)
                    {
                        Malformed = TooLong(start, length - (terminated ? 1 : 0), lineNumber - start + 1, limit),
                        Oversized = true,
                        Header = header,
                    };
                }
                else if (cut is not null && header is not null && !string.IsNullOrWhiteSpace(text))
                {
                    item = new InputItem(index, start, text) { Malformed = cut, CutShort = true, Header = header };
                }
                else if (string.IsNullOrWhiteSpace(text))
                {
                    // A line of blanks is no record, as in plain lines and JSON Lines (before run52 a line holding one space
                    // was a record of one field, failed for its field count); a blank value is written quoted (" ").
                    item = null;
                }
                else if (!Csv.TryParse(text, out var fields, out var error))
                {
                    if (header is null)
                    {
                        // A malformed header was item 0, failed, and the next record silently became the header: its
                        // values read as column names, and the item they were never ran. Said at once, as an oversized one.
                        throw new CliUsageException($"the CSV header (line {start}) is malformed: {error}; without it there are no column names to read the records by (is the file CSV? --format lines reads one item per line)");
                    }

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
                    var position = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
                    malformed = $"line {lineNumber}: not valid JSON: {(position > 0 ? reason[..position] : reason)}";
                }

                var text = ByteText.Decode(line);
                fingerprint?.Consume(raw.Bytes.Span, isItem: true);
                yield return cut is not null ? new InputItem(index++, lineNumber, text) { Malformed = cut, CutShort = true }
                    : malformed is null
                    ? new InputItem(index++, lineNumber, text) { Json = json }
                    : new InputItem(index++, lineNumber, text) { Malformed = malformed };
                continue;
            }

            var plain = new InputItem(index++, lineNumber, ByteText.Decode(line)) { Malformed = cut, CutShort = cut is not null };
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
        var line = default(BlankScan);
        int read;
        while ((read = file.Read(buffer)) > 0)
        {
            // Line by line (a vectorized search for the separator), each line's bytes fed only until one is not a blank:
            // the first byte, for most lines. Byte by byte, the blank check cost a call for every byte of a file up to 1 GB.
            var rest = buffer.AsSpan(0, read);
            while (true)
            {
                var end = rest.IndexOf(separator);
                var piece = end < 0 ? rest : rest[..end];
                if (nullSeparated)
                {
                    if (!piece.IsEmpty)
                    {
                        line.Break();
                    }
                }
                else
                {
                    line.Add(piece);
                }

                if (end < 0)
                {
                    break;
                }

                count += line.Blank ? 0 : 1;
                line = default;
                rest = rest[(end + 1)..];
            }
        }

        return count + (line.Blank ? 0 : 1);
    }

    // Why the input's last record (read without its separator) is not run: the file ended before the size it had when the
    // read began, so it shrank meanwhile (truncated or rewritten by another program) and the record may be a piece of a
    // line. Until run54 that piece ran as an item like any other (a command got "pa" of "path"); null when it did not shrink.
    private static string? Cut(long line, long consumed, long? sizeAtStart) =>
        sizeAtStart is { } size && consumed < size
            ? string.Create(CultureInfo.InvariantCulture, $"line {line}: the input file shrank while it was read (it had {size:N0} bytes when the read began and ended at byte {consumed:N0}: truncated or rewritten meanwhile), so its last line, read without its line end, may be cut short; not run")
            : null;

    // Why an oversized record is an item that fails: its line, its length and the limit, in words.
    private static string TooLong(long line, long length, long lines, long limit, bool item = true)
    {
        var size = length >= 1_000_000 ? string.Create(CultureInfo.InvariantCulture, $" ({length / 1e9:0.0} GB)") : "";
        if (length is >= 1_000_000 and < 1_000_000_000)
        {
            size = string.Create(CultureInfo.InvariantCulture, $" ({length / 1e6:0.0} MB)");
        }

        var spanning = lines > 1 ? string.Create(CultureInfo.InvariantCulture, $" (a record of {lines:N0} lines)") : "";
        var mib = limit % (1L << 20) == 0 ? string.Create(CultureInfo.InvariantCulture, $" ({limit >> 20} MiB)") : "";
        var over = string.Create(CultureInfo.InvariantCulture, $"line {line} is {length:N0} bytes{size}{spanning}, over the {limit:N0} bytes brigade reads as one record{mib}");
        return item
            ? over + $"; it was read through without being held (only its first {RecordReader.KeptBytes:N0} bytes are kept, as the item's text): put big items in files and pass their paths"
            : over;
    }

    // An oversized record's kept start without its separator (all of it when the limit is under the kept bytes).
    private static ReadOnlySpan<byte> Content(ReadOnlySpan<byte> kept, byte separator) =>
        separator == 0 ? (!kept.IsEmpty && kept[^1] == 0 ? kept[..^1] : kept) : LineContent(kept);

    private sealed class Spill
    {
        // Whether every byte of the oversized line read so far is a blank (or its line end), as IsBlank reads them.
        public BlankScan Blank;
    }

    /// <summary>
    /// A line's bytes fed in order, telling whether all of them are blanks as <see cref="IsBlank"/> reads a whole line (ASCII
    /// blanks and Unicode white space such as U+00A0 or U+3000, decoded as they come), so that the progress total
    /// (<see cref="CountLines"/>) and an oversized line read through agree with it without holding the line.
    /// </summary>
    /// <remarks>Before run54 both took only ASCII blanks: a line of one NBSP was skipped as blank but counted, a total off by one.</remarks>
    private struct BlankScan
    {
        // The bytes of a UTF-8 sequence begun and not yet complete (at most 3), first byte lowest.
        private uint _held;
        private int _heldCount;
        private bool _broken;

        /// <summary>Gets whether every byte fed so far is a blank (an incomplete UTF-8 sequence at the end is none).</summary>
        public readonly bool Blank => !_broken && _heldCount == 0;

        /// <summary>Marks the line as not blank.</summary>
        public void Break() => _broken = true;

        public void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                if (_broken)
                {
                    return;
                }

                Add(b);
            }
        }

        public void Add(byte b)
        {
            if (_broken)
            {
                return;
            }

            if (_heldCount == 0 && b < 0x80)
            {
                _broken = b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f' or (byte)'\n');
                return;
            }

            // A byte of a multi-byte character: decoded once the character is whole, as ByteText.Decode would (a byte that
            // is not valid UTF-8 becomes an escape character, never white space).
            _held |= (uint)b << (8 * _heldCount++);
            Span<byte> sequence = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(sequence, _held);
            var status = Rune.DecodeFromUtf8(sequence[.._heldCount], out var rune, out _);
            if (status == System.Buffers.OperationStatus.NeedMoreData && _heldCount < 4)
            {
                return;
            }

            _broken = status != System.Buffers.OperationStatus.Done || !Rune.IsWhiteSpace(rune);
            (_held, _heldCount) = (0, 0);
        }
    }

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
