namespace Brigade.Cli.Run;

/// <summary>How <c>brigade run</c> splits its input into items.</summary>
internal enum InputFormat
{
    /// <summary>From the file extension: <c>.jsonl</c>/<c>.ndjson</c> → JSON Lines, <c>.csv</c> → CSV, anything else → lines.</summary>
    Auto,

    /// <summary>One item per line; blank lines are skipped.</summary>
    Lines,

    /// <summary>One JSON value per line; a line that is not valid JSON is a malformed item.</summary>
    JsonLines,

    /// <summary>Comma-separated values with a header row; each record is an item whose fields are named by the header.</summary>
    Csv,
}
