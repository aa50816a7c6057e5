namespace Brigade.Cli.Run;

/// <summary>
/// Tells whether a CSV record read so far ends inside a quoted field (so its next line belongs to it), reading each
/// line once as it is appended, as <see cref="Csv.TryParse"/> reads fields: only a quote that opens a field starts a
/// quoted section. A quote inside an unquoted field (<c>tv 5" screen,1</c>) is that record's error, not the start of a
/// field that runs on through the lines after it.
/// </summary>
/// <remarks>
/// Before review 50 every quote counted (the record was complete when their number was even), and the whole record was
/// counted again for each line appended: a stray quote took every following line into one malformed item (their items
/// lost to one failure), and on a 50,000-line CSV the reading took minutes at 100% CPU before anything ran.
/// </remarks>
internal struct CsvRecordScanner
{
    private State _state;

    private enum State
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }

    /// <summary>Gets whether the text fed so far ends outside a quoted field: the record ends at this line's end.</summary>
    public readonly bool IsComplete => _state != State.Quoted;

    /// <summary>
    /// Reads more of the record as bytes (a block of an oversized line, read through without being decoded): only the
    /// ASCII quote and comma move the state, and no byte of a multi-byte UTF-8 sequence is either.
    /// </summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        // Most blocks of a long line are neither: skip to the next quote or comma.
        while (!bytes.IsEmpty)
        {
            var at = _state is State.Quoted ? bytes.IndexOf((byte)'"') : bytes.IndexOfAny((byte)'"', (byte)',');
            if (at < 0)
            {
                if (_state is State.FieldStart or State.QuoteInQuoted)
                {
                    _state = State.Unquoted;
                }

                return;
            }

            if (at > 0 && _state is State.FieldStart or State.QuoteInQuoted)
            {
                _state = State.Unquoted;
            }

            Feed([(char)bytes[at]]);
            bytes = bytes[(at + 1)..];
        }
    }

    /// <summary>Reads more of the record: a line's content, or the line break between two of its lines.</summary>
    public void Feed(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            _state = (_state, c) switch
            {
                (State.FieldStart, '"') => State.Quoted,
                (State.FieldStart or State.Unquoted or State.QuoteInQuoted, ',') => State.FieldStart,
                (State.FieldStart or State.Unquoted, _) => State.Unquoted,
                (State.Quoted, '"') => State.QuoteInQuoted,
                (State.Quoted, _) => State.Quoted,
                (State.QuoteInQuoted, '"') => State.Quoted, // "" inside quotes: an escaped quote
                (State.QuoteInQuoted, _) => State.Unquoted, // text after a closing quote: TryParse says so
                _ => _state,
            };
        }
    }
}
