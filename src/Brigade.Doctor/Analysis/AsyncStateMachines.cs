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

    // <<Main>b__0_0>d or <<Main>g__Local|0_0>d at the end, perhaps with generic arguments.
    [GeneratedRegex(@"\+<<[^+]*>[bg]__[^+]*>d(`\d+)?(\[.*\]|<.*>)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LambdaOrLocal();
}
