using System.CommandLine;
using System.CommandLine.Parsing;

namespace Brigade.Cli.Run;

/// <summary>
/// The <c>--format</c> option of <c>brigade run</c> and <c>brigade advise</c>: its values are the lower-case names the
/// help lists, any case. The parser's own enum conversion named the type (<c>'Brigade.Cli.Run.InputFormat'</c>) for an
/// unknown value and took a number (<c>--format 7</c>) as a format that does not exist.
/// </summary>
internal static class InputFormatOption
{
    private static readonly (string Name, InputFormat Format)[] Choices =
    [
        ("auto", InputFormat.Auto), ("lines", InputFormat.Lines), ("jsonlines", InputFormat.JsonLines), ("csv", InputFormat.Csv),
    ];

    /// <summary>Creates the option, described by <paramref name="description"/>; absent, it is <see cref="InputFormat.Auto"/> (the enum's default).</summary>
    public static Option<InputFormat> Create(string description) => new("--format")
    {
        Description = description,
        HelpName = string.Join('|', Choices.Select(c => c.Name)),
        CustomParser = Parse,
    };

    private static InputFormat Parse(ArgumentResult result)
    {
        var value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        foreach (var (name, format) in Choices)
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                return format;
            }
        }

        result.AddError($"--format: '{value}' is not a format; give {string.Join(", ", Choices.Select(c => c.Name))}");
        return InputFormat.Auto;
    }
}
