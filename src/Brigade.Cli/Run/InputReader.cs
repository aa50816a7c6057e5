using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>Reads <c>brigade run</c>'s input lazily, one item at a time, so inputs of any size run in bounded memory.</summary>
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

    public static async IAsyncEnumerable<InputItem> ReadAsync(TextReader reader, InputFormat format, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long index = 0;
        long lineNumber = 0;
        IReadOnlyList<string>? header = null;
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                yield break;
            }

            lineNumber++;
            if (format == InputFormat.Csv)
            {
                var start = lineNumber;
                var record = new StringBuilder(line);

                // A quoted field may span lines: keep reading until the quotes balance.
                while (!Csv.IsComplete(record))
                {
                    var more = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    if (more is null)
                    {
                        break;
                    }

                    lineNumber++;
                    record.Append('\n').Append(more);
                }

                var text = record.ToString();
                if (text.Length == 0)
                {
                    continue;
                }

                if (!Csv.TryParse(text, out var fields, out var error))
                {
                    yield return new InputItem(index++, start, text) { Malformed = $"line {start}: {error}" };
                    continue;
                }

                if (header is null)
                {
                    header = fields;
                    continue;
                }

                yield return fields.Count == header.Count
                    ? new InputItem(index++, start, text) { Fields = fields, Header = header }
                    : new InputItem(index++, start, text) { Malformed = $"line {start}: {fields.Count} fields where the header has {header.Count}" };
                continue;
            }

            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (format == InputFormat.JsonLines)
            {
                JsonElement json;
                string? malformed = null;
                try
                {
                    using var doc = JsonDocument.Parse(line);
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

                yield return malformed is null
                    ? new InputItem(index++, lineNumber, line) { Json = json }
                    : new InputItem(index++, lineNumber, line) { Malformed = malformed };
                continue;
            }

            yield return new InputItem(index++, lineNumber, line);
        }
    }
}
