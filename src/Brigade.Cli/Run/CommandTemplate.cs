using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>
/// A shell command with placeholders for the item, in the spirit of GNU parallel: <c>{}</c> the item,
/// <c>{.}</c> without extension, <c>{/}</c> basename, <c>{//}</c> directory, <c>{/.}</c> basename without extension,
/// <c>{#}</c> the 1-based sequence number, <c>{index}</c> the 0-based index, <c>{N}</c> the N-th CSV field and
/// <c>{name}</c> a CSV column or JSON property. Every substitution is shell-quoted; a template without
/// placeholders gets <c> {}</c> appended, like xargs.
/// </summary>
internal sealed class CommandTemplate
{
    private readonly List<Part> _parts;

    private CommandTemplate(string text, List<Part> parts)
    {
        Text = text;
        _parts = parts;
    }

    public string Text { get; }

    public static CommandTemplate Parse(string template)
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
            if (template[i] == '{')
            {
                var close = template.IndexOf('}', i + 1);
                var name = close > i ? template[(i + 1)..close] : null;
                if (name is not null && IsPlaceholder(name))
                {
                    if (literal.Length > 0)
                    {
                        parts.Add(new Part(literal.ToString(), null));
                        literal.Clear();
                    }

                    parts.Add(new Part(null, name));
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
            parts.Add(new Part(literal.ToString(), null));
            literal.Clear();
            parts.Add(new Part(null, ""));
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null));
        }

        return new CommandTemplate(template, parts);
    }

    /// <summary>Renders the command for an item; throws <see cref="FormatException"/> for a field the item does not have.</summary>
    public string Render(InputItem item)
    {
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part.Literal is not null)
            {
                sb.Append(part.Literal);
            }
            else
            {
                sb.Append(Quote(Value(item, part.Placeholder!)));
            }
        }

        return sb.ToString();
    }

    private static bool IsPlaceholder(string name) =>
        name is "" or "." or "/" or "//" or "/." or "#" or "index" ||
        (name.Length > 0 && name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'));

    private static string Value(InputItem item, string placeholder)
    {
        var text = item.Json is { ValueKind: JsonValueKind.String } s ? s.GetString()! : item.Text;
        switch (placeholder)
        {
            case "":
                return text;
            case ".":
                return StripExtension(text);
            case "/":
                return Path.GetFileName(text);
            case "//":
                return Path.GetDirectoryName(text) is { Length: > 0 } dir ? dir : ".";
            case "/.":
                return StripExtension(Path.GetFileName(text));
            case "#":
                return (item.Index + 1).ToString(CultureInfo.InvariantCulture);
            case "index":
                return item.Index.ToString(CultureInfo.InvariantCulture);
        }

        if (item.Fields is { } fields)
        {
            if (int.TryParse(placeholder, NumberStyles.None, CultureInfo.InvariantCulture, out var column))
            {
                return column >= 1 && column <= fields.Count ? fields[column - 1] : throw new FormatException($"no field {column} (the record has {fields.Count})");
            }

            var at = item.Header?.ToList().IndexOf(placeholder) ?? -1;
            return at >= 0 ? fields[at] : throw new FormatException($"no column '{placeholder}' in the CSV header");
        }

        if (item.Json is { ValueKind: JsonValueKind.Object } obj)
        {
            return obj.TryGetProperty(placeholder, out var value)
                ? value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()
                : throw new FormatException($"no property '{placeholder}' in the JSON item");
        }

        throw new FormatException($"placeholder {{{placeholder}}} needs CSV or JSON-object input");
    }

    private static string StripExtension(string path)
    {
        var ext = Path.GetExtension(path);
        return ext.Length > 0 ? path[..^ext.Length] : path;
    }

    /// <summary>POSIX shell single-quoting: the value reaches the command as one word, verbatim.</summary>
    internal static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or '_' or '-' or '+' or ',' or ':' or '=' or '@' or '%')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private sealed record Part(string? Literal, string? Placeholder);
}
