using System.Globalization;

namespace Brigade.Cli.Run;

/// <summary>
/// A command rendered for one item (<see cref="CommandTemplate.RenderCommand"/>), in two forms. <see cref="Text"/> has
/// each value shell-quoted in place: it is what is shown and journaled, and what runs when it needs no shell (a program
/// and its arguments, split by <see cref="ExecCommandLine"/>: no shell reads it). <see cref="ShellText"/> is what
/// <c>/bin/sh -c</c> gets: each value that is not a plain word stands there as <c>"${BRIGADE_V1}"</c>, a reference to an
/// environment variable the command gets with the value (<see cref="Values"/>), so the shell never parses an item's text.
/// </summary>
/// <remarks>
/// Brigade reads the command's quoting to place each value (a value inside the command's own quotes is quoted outside
/// them), and a shell may read an unusual command otherwise (review 26: a <c>)</c> closing a <c>case</c> pattern inside
/// <c>$(...)</c>, quotes inside <c>"${x:-...}"</c>, which dash takes as text). With the value in place, such a misreading
/// ran an item's <c>$(...)</c>; with a reference, the worst it can do is split or misplace the value: the shell expands
/// a variable's value once and never runs it.
/// </remarks>
internal sealed class RenderedCommand
{
    /// <summary>The prefix of the variables that carry the values: <c>BRIGADE_V1</c>, <c>BRIGADE_V2</c>...</summary>
    public const string VariablePrefix = "BRIGADE_V";

    private static readonly string[] NoValues = [];

    /// <summary>Creates a command with no values apart (both forms the same).</summary>
    /// <param name="text">The command line.</param>
    public RenderedCommand(string text)
        : this(text, text, NoValues)
    {
    }

    private readonly string[] _values;

    private RenderedCommand(string text, string shellText, string[] values)
    {
        Text = text;
        ShellText = shellText;
        _values = values;
    }

    /// <summary>Gets the command with each value quoted in place (what is shown, journaled, and run without a shell).</summary>
    public string Text { get; }

    /// <summary>Gets the command for <c>/bin/sh -c</c>: values that are not plain words as variable references.</summary>
    public string ShellText { get; }

    /// <summary>Gets the values of <c>BRIGADE_V1</c>... in order (empty when <see cref="ShellText"/> refers to none).</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>The name of the variable that carries value <paramref name="number"/> (from 1).</summary>
    public static string Variable(int number) => VariablePrefix + number.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether an environment variable's name is one of the values' (an outer brigade's, not passed on).</summary>
    public static bool IsValueVariable(string name) =>
        name.Length > VariablePrefix.Length && name.StartsWith(VariablePrefix, StringComparison.Ordinal) && name.AsSpan(VariablePrefix.Length).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>Creates the command from its two forms.</summary>
    public static RenderedCommand Create(string text, string shellText, List<string>? values) =>
        values is { Count: > 0 } ? new RenderedCommand(text, shellText, [.. values]) : new RenderedCommand(text);

    /// <summary>Fills <c>{%}</c> into both forms (see <see cref="CommandTemplate.FillSlot"/>).</summary>
    public RenderedCommand WithSlot(int slot)
    {
        var text = CommandTemplate.FillSlot(Text, slot);
        return new RenderedCommand(text, ReferenceEquals(Text, ShellText) ? text : CommandTemplate.FillSlot(ShellText, slot), _values);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
