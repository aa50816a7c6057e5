using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Run;

/// <summary>
/// A shell command with placeholders for the item, after GNU parallel: <c>{}</c> the item, <c>{.}</c> without
/// extension, <c>{/}</c> basename, <c>{//}</c> directory, <c>{/.}</c> basename without extension, <c>{#}</c> the
/// 1-based sequence number, <c>{%}</c> the job slot, <c>{index}</c> the 0-based index, <c>{N}</c> (and <c>{N.}</c>,
/// <c>{N/}</c>, <c>{N//}</c>, <c>{N/.}</c>) the N-th CSV field, and <c>{name}</c> a CSV column or JSON property.
/// Every substitution is shell-quoted; a template without placeholders gets <c> {}</c> appended, like xargs.
/// </summary>
/// <remarks>
/// <para>Only Brigade's placeholders are replaced; other braces reach the shell as written, so <c>awk '{print $1}'</c>,
/// <c>sed '/x/{p;d}'</c> and <c>${HOME}</c> work. The rule: <c>{…}</c> after a <c>$</c> is the shell's; braces around
/// anything but letters, digits and <c>_ . / # % -</c> (a space, a quote, a comma, <c>$</c>) are literal; braces
/// around only digits and <c>. / # %</c> are Brigade's, and an unknown one (<c>{0}</c>, <c>{..}</c>) is a usage error;
/// a word (<c>{name}</c>) is a field of CSV or JSON Lines input (an unknown CSV column is a usage error) and literal
/// text for plain lines, where there are no fields (<c>awk '{print}'</c>).</para>
/// </remarks>
internal sealed partial class CommandTemplate
{
    private const string Reference = "placeholders are {} {.} {/} {//} {/.} {#} {%} {index}, {N} for CSV fields (from 1) and {name} for CSV columns or JSON properties";

    private static readonly System.Buffers.SearchValues<char> PlaceholderCharacters = System.Buffers.SearchValues.Create("0123456789./#%");

    private readonly List<Part> _parts;

    private CommandTemplate(string text, List<Part> parts)
    {
        Text = text;
        _parts = parts;
        UsesSlot = parts.Any(p => p.Kind == PartKind.Slot);
    }

    private enum PartKind
    {
        Literal,
        Item,
        Sequence,
        Slot,
        Index,
        Field,
        Named,
    }

    public string Text { get; }

    /// <summary>Gets whether the command uses <c>{%}</c>, the job slot, filled in only when the command starts.</summary>
    public bool UsesSlot { get; }

    /// <summary>Parses a command; <paramref name="format"/> decides whether <c>{name}</c> is a field (CSV, JSON Lines) or text (lines).</summary>
    /// <exception cref="CliUsageException">The command is empty or has an unknown placeholder.</exception>
    public static CommandTemplate Parse(string template, InputFormat format = InputFormat.Lines)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new CliUsageException("--exec: the command is empty");
        }

        var parts = new List<Part>();
        var literal = new StringBuilder();
        var hasPlaceholder = false;
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '{' && (i == 0 || template[i - 1] != '$'))
            {
                var close = template.IndexOf('}', i + 1);
                if (close > i && Classify(template[(i + 1)..close], format) is { } part)
                {
                    if (literal.Length > 0)
                    {
                        parts.Add(new Part(PartKind.Literal, literal.ToString()));
                        literal.Clear();
                    }

                    parts.Add(part);
                    hasPlaceholder = true;
                    i = close;
                    continue;
                }
            }

            literal.Append(template[i]);
        }

        if (!hasPlaceholder)
        {
            literal.Append(' ');
            parts.Add(new Part(PartKind.Literal, literal.ToString()));
            literal.Clear();
            parts.Add(new Part(PartKind.Item, ""));
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(PartKind.Literal, literal.ToString()));
        }

        return new CommandTemplate(template, parts);
    }

    /// <summary>Checks the command against the CSV header, before anything runs.</summary>
    /// <exception cref="CliUsageException">A <c>{name}</c> names no column, or <c>{N}</c> is past the last one.</exception>
    public void CheckAgainst(IReadOnlyList<string> header)
    {
        foreach (var part in _parts)
        {
            if (part.Kind == PartKind.Named && !header.Contains(part.Name))
            {
                throw new CliUsageException($"--exec: {{{part.Name}}} names no column of the CSV header ({string.Join(", ", header)}); to give the shell literal braces, put a space inside them ({{ {part.Name} }})");
            }

            if (part.Kind == PartKind.Field && part.Column > header.Count)
            {
                throw new CliUsageException($"--exec: {{{part.Column}}} is past the last of the CSV header's {header.Count} columns ({string.Join(", ", header)})");
            }
        }
    }

    /// <summary>Renders the command for an item; throws <see cref="FormatException"/> for a field the item does not have.</summary>
    /// <param name="item">The item.</param>
    /// <param name="slot">The job slot for <c>{%}</c>; 0 renders a marker that <see cref="FillSlot"/> replaces.</param>
    public string Render(InputItem item, int slot = 0)
    {
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part.Kind == PartKind.Literal)
            {
                sb.Append(part.Name);
            }
            else if (part.Kind == PartKind.Slot && slot == 0)
            {
                sb.Append(SlotMarker);
            }
            else
            {
                sb.Append(Quote(Value(item, part, slot)));
            }
        }

        return sb.ToString();
    }

    /// <summary>Fills <c>{%}</c> into a command rendered without a slot.</summary>
    public static string FillSlot(string rendered, int slot) => rendered.Replace(SlotMarker, slot.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    // Never produced by Quote (a quoted value holds no NUL, and the marker is only emitted outside quotes).
    private static string SlotMarker => "\0%\0";

    private static Part? Classify(string content, InputFormat format)
    {
        switch (content)
        {
            case "" or "." or "/" or "//" or "/.":
                return new Part(PartKind.Item, content);
            case "#":
                return new Part(PartKind.Sequence, content);
            case "%":
                return new Part(PartKind.Slot, content);
            case "index":
                return new Part(PartKind.Index, content);
        }

        if (FieldPlaceholder().Match(content) is { Success: true } field)
        {
            if (!int.TryParse(field.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var column) || column < 1)
            {
                throw new CliUsageException($"--exec: unknown placeholder {{{content}}}: fields count from 1 ({Reference})");
            }

            if (format != InputFormat.Csv && column > 1)
            {
                throw new CliUsageException($"--exec: {{{content}}} is a CSV field, and this input is {FormatName(format)} (give --format csv, or use {{}} for the whole item)");
            }

            // Plain lines have one field, the item itself (as in GNU parallel, where {1} is the first input source).
            return new Part(PartKind.Field, field.Groups[2].Value) { Column = column };
        }

        if (content.AsSpan().IndexOfAnyExcept(PlaceholderCharacters) < 0)
        {
            throw new CliUsageException($"--exec: unknown placeholder {{{content}}} ({Reference}; other braces are passed to the shell as written)");
        }

        if (NamePlaceholder().IsMatch(content))
        {
            // Lines have no named fields: the braces are the command's own (awk '{print}').
            return format is InputFormat.Csv or InputFormat.JsonLines ? new Part(PartKind.Named, content) : null;
        }

        return null;
    }

    private static string FormatName(InputFormat format) => format switch
    {
        InputFormat.JsonLines => "JSON Lines",
        _ => "plain lines",
    };

    private static string Value(InputItem item, Part part, int slot)
    {
        var text = item.Json is { ValueKind: JsonValueKind.String } s ? s.GetString()! : item.Text;
        switch (part.Kind)
        {
            case PartKind.Item:
                return Modify(text, part.Name);
            case PartKind.Sequence:
                return (item.Index + 1).ToString(CultureInfo.InvariantCulture);
            case PartKind.Slot:
                return slot.ToString(CultureInfo.InvariantCulture);
            case PartKind.Index:
                return item.Index.ToString(CultureInfo.InvariantCulture);
            case PartKind.Field when item.Fields is { } fields:
                return part.Column <= fields.Count
                    ? Modify(fields[part.Column - 1], part.Name)
                    : throw new FormatException($"no field {part.Column} (the record has {fields.Count})");
            case PartKind.Field:
                return Modify(text, part.Name);
        }

        var name = part.Name;
        if (item.Fields is { } columns)
        {
            var at = item.Header?.ToList().IndexOf(name) ?? -1;
            return at >= 0 ? columns[at] : throw new FormatException($"no column '{name}' in the CSV header");
        }

        if (item.Json is { ValueKind: JsonValueKind.Object } obj)
        {
            return obj.TryGetProperty(name, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
                : throw new FormatException($"no property '{name}' in the JSON item");
        }

        throw new FormatException($"placeholder {{{name}}} needs a JSON object, and the item is {item.Json?.ValueKind.ToString().ToLowerInvariant() ?? "not one"}");
    }

    private static string Modify(string path, string modifier) => modifier switch
    {
        "." => StripExtension(path),
        "/" => Path.GetFileName(path),
        "//" => Path.GetDirectoryName(path) is { Length: > 0 } dir ? dir : ".",
        "/." => StripExtension(Path.GetFileName(path)),
        _ => path,
    };

    private static string StripExtension(string path)
    {
        var ext = Path.GetExtension(path);
        return ext.Length > 0 ? path[..^ext.Length] : path;
    }

    /// <summary>
    /// POSIX shell single-quoting: the value reaches the command as one word, verbatim. Bytes that were not valid
    /// UTF-8 (see <see cref="ByteText"/>) cannot travel in a .NET command line, so the shell recreates them
    /// (<c>"$(printf '\351')"</c>) and the command gets the input's exact bytes.
    /// </summary>
    /// <exception cref="FormatException">The value holds a NUL byte, which no command argument can carry.</exception>
    internal static string Quote(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new FormatException("the value holds a NUL byte, which a command line cannot carry (for NUL-separated input, give --null)");
        }

        if (value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or '_' or '-' or '+' or ',' or ':' or '=' or '@' or '%'))
        {
            return value;
        }

        if (!ByteText.HasEscapedBytes(value))
        {
            return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }

        var sb = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            var start = i;
            if (IsEscape(value, i))
            {
                sb.Append("\"$(printf '");
                for (; i < value.Length && IsEscape(value, i); i++)
                {
                    sb.Append('\\').Append(Convert.ToString(ByteText.EscapedByte(value[i]), 8));
                }

                sb.Append("')\"");
                continue;
            }

            while (i < value.Length && !IsEscape(value, i))
            {
                i++;
            }

            sb.Append('\'').Append(value[start..i].Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }

        return sb.ToString();
    }

    private static bool IsEscape(string value, int i) => ByteText.IsEscapedByte(value[i]) && (i == 0 || !char.IsHighSurrogate(value[i - 1]));

    [GeneratedRegex(@"^([0-9]+)(\.|/|//|/\.)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldPlaceholder();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePlaceholder();

    private sealed record Part(PartKind Kind, string Name)
    {
        public int Column { get; init; }
    }
}
