using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>
/// Writes a <see cref="JournalRecord"/> as one line of JSON with <see cref="Utf8JsonWriter"/>: the same text the
/// source-generated <see cref="RunJsonContext"/> writes (same names, nulls left out, bytes as base64), which reads it back.
/// </summary>
/// <remarks>
/// Not <see cref="JsonSerializer"/>: even its serialization-only source-generated path builds a converter and a type
/// info per property type (generic over <c>long?</c>, <c>bool?</c>, <c>int?</c>, ...), code that no ReadyToRun image
/// holds and that a one-line run compiled at start-up (about a quarter of its JIT work). The writer is reused: a
/// record is written under its owner's lock, straight into the journal's buffer, with no allocation of its own.
/// </remarks>
internal sealed class JournalRecordWriter : IDisposable
{
    private static readonly JsonWriterOptions Options = new() { SkipValidation = true };
    private readonly Utf8JsonWriter _writer = new(Stream.Null, Options);

    /// <summary>Writes <paramref name="record"/> and a line feed to <paramref name="stream"/>.</summary>
    public void WriteLine(Stream stream, JournalRecord record)
    {
        _writer.Reset(stream);
        Write(_writer, record);
        _writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <inheritdoc/>
    public void Dispose() => _writer.Dispose();

    private static void Write(Utf8JsonWriter w, JournalRecord r)
    {
        w.WriteStartObject();
        w.WriteString("t", r.Kind);
        Number(w, "v", r.Version);
        Text(w, "input", r.Input);
        Text(w, "work", r.Work);
        Flag(w, "ordered", r.Ordered);
        Text(w, "format", r.Format);
        Flag(w, "null", r.NullSeparated);
        Number(w, "i", r.Index);
        Number(w, "line", r.Line);
        Text(w, "in", r.ItemText);
        if (r.Output is { } output)
        {
            w.WriteBase64String("out", output);
        }

        Text(w, "err", r.Error);
        Number(w, "n", r.Attempts);
        Number(w, "upto", r.UpTo);
        if (r.Delivered is { } delivered)
        {
            w.WriteStartArray("ids");
            foreach (var index in delivered)
            {
                w.WriteNumberValue(index);
            }

            w.WriteEndArray();
        }

        Number(w, "o", r.OutputLength);
        Number(w, "f", r.FailuresLength);
        Number(w, "ib", r.InputBytes);
        Number(w, "ii", r.InputItems);
        Text(w, "ih", r.InputHash);
        Number(w, "nf", r.FailedCount);
        w.WriteEndObject();
    }

    private static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }

    private static void Flag(Utf8JsonWriter w, string name, bool? value)
    {
        if (value is { } v)
        {
            w.WriteBoolean(name, v);
        }
    }
}
