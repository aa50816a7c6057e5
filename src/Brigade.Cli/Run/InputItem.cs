using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>One item of <c>brigade run</c>'s input.</summary>
/// <param name="Index">The 0-based position among the input's items.</param>
/// <param name="Line">The 1-based line number in the input where the item starts.</param>
/// <param name="Text">The item as written in the input (the line, the JSON text, or the CSV record).</param>
internal sealed record InputItem(long Index, long Line, string Text)
{
    /// <summary>Gets the parsed JSON value, for JSON Lines input.</summary>
    public JsonElement? Json { get; init; }

    /// <summary>Gets the fields of a CSV record, in column order.</summary>
    public IReadOnlyList<string>? Fields { get; init; }

    /// <summary>Gets the CSV header, for looking fields up by name.</summary>
    public IReadOnlyList<string>? Header { get; init; }

    /// <summary>Gets why the item could not be parsed; a malformed item is reported as a failure and not run.</summary>
    public string? Malformed { get; init; }

    /// <summary>
    /// Gets whether the record was over the record limit (16 MiB): read through without being held, and failed for its
    /// length (<see cref="Malformed"/> says its line and length), not for its form.
    /// </summary>
    public bool Oversized { get; init; }

    /// <summary>
    /// Gets whether the record is the last one of a file that shrank while it was read, read without its separator: maybe a
    /// piece of a line, so it fails unrun (<see cref="Malformed"/> says why), not for its form.
    /// </summary>
    public bool CutShort { get; init; }
}
