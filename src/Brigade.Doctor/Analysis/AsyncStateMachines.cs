using System.Text.RegularExpressions;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// The names compilers give async state machines, the same in Debug (a class) and Release (a struct): C#'s
/// <c>Outer+&lt;Method&gt;d__12</c> for an async method, <c>Outer+&lt;&gt;c+&lt;&lt;Method&gt;b__3_0&gt;d</c> for an async lambda
/// (<c>Outer+&lt;&gt;c__DisplayClass3_0+&lt;&lt;Method&gt;b__1&gt;d</c> when it captures), and
/// <c>Outer+&lt;&lt;Method&gt;g__Local|3_0&gt;d</c> for an async local function; Visual Basic's
/// <c>Outer+VB$StateMachine_3_Method</c>. (F#'s <c>task { }</c> compiles to closures named after the source line, with no
/// mark of a state machine: not recognized.)
/// </summary>
internal static partial class AsyncStateMachines
{
    /// <summary>Whether a type is a compiler-generated async state machine.</summary>
    public static bool IsStateMachine(string typeName) =>
        typeName.Contains(">d__", StringComparison.Ordinal)
        || (typeName.Contains("+<<", StringComparison.Ordinal) && LambdaOrLocal().IsMatch(typeName))
        || typeName.Contains("+VB$StateMachine_", StringComparison.Ordinal);

    /// <summary>Whether a frame's method (<c>Type.Method</c>) is an async state machine's <c>MoveNext</c>: an async method,
    /// lambda or local function running.</summary>
    public static bool IsMoveNext(string method) =>
        method.EndsWith(".MoveNext", StringComparison.Ordinal) && IsStateMachine(method[..^".MoveNext".Length]);

    /// <summary>
    /// The name a reader knows an async lambda or local function by, from its state machine type:
    /// <c>Outer+&lt;&gt;c+&lt;&lt;Run&gt;b__3_0&gt;d</c> is <c>Outer.Run (async lambda)</c>,
    /// <c>Outer+&lt;&lt;Main&gt;g__Load|0_0&gt;d</c> is <c>Outer.Main (local function Load)</c>; null for any other type.
    /// </summary>
    public static string? LambdaOrLocalName(string typeName)
    {
        if (!typeName.Contains("+<<", StringComparison.Ordinal) || LambdaOrLocalParts().Match(typeName) is not { Success: true } m)
        {
            return null;
        }

        var outer = $"{m.Groups["outer"].Value.Replace('+', '.')}.{m.Groups["method"].Value}";
        return m.Groups["kind"].Value == "b"
            ? $"{outer} (async lambda)"
            : $"{outer} (local function {m.Groups["rest"].Value.Split('|')[0]})";
    }

    // Outer[+<>c or +<>c__DisplayClassN_M]+<<Method>b__N_M>d or +<<Method>g__Local|N_M>d, perhaps with generic arguments.
    [GeneratedRegex(@"^(?<outer>.*?)(\+<>c(__DisplayClass[^+]*)?)?\+<<(?<method>[^>+]*)>(?<kind>[bg])__(?<rest>[^+>]*)>d(`\d+)?(\[.*\]|<.*>)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LambdaOrLocalParts();

    // <<Main>b__0_0>d or <<Main>g__Local|0_0>d at the end, perhaps with generic arguments.
    [GeneratedRegex(@"\+<<[^+]*>[bg]__[^+]*>d(`\d+)?(\[.*\]|<.*>)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LambdaOrLocal();
}
