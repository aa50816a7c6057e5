using System.Text;
using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>
/// A data race (<see cref="PitfallCodes.DataRace"/>): two accesses to a tracked variable, at least one a write, that
/// no synchronization Brigade saw ordered. The message starts with <c>Data race detected:</c>.
/// </summary>
/// <remarks>Each variable is reported once, at the first conflicting access: later races on it are the same bug.</remarks>
public sealed class RaceReport : PitfallReport
{
    internal RaceReport(string variable, RaceAccess current, RaceAccess previous, DateTimeOffset time)
        : base(PitfallKind.DataRace, Format(variable, current, previous), time)
    {
        Variable = variable;
        Current = current;
        Previous = previous;
    }

    /// <summary>Gets the variable's name.</summary>
    public string Variable { get; }

    /// <summary>Gets the access that found the race (its stack trace is always captured).</summary>
    public RaceAccess Current { get; }

    /// <summary>Gets the earlier access it conflicts with (its stack trace only when <see cref="RaceDetectorOptions.CaptureStackTraces"/> is on).</summary>
    public RaceAccess Previous { get; }

    private static string Format(string variable, RaceAccess current, RaceAccess previous)
    {
        var text = new StringBuilder();
        text.Append("Data race detected on '").Append(variable).Append("': ")
            .Append(RaceAccess.Describe(current.Kind)).Append(" by ").Append(current.Flow).Append(Text.At(current.Site))
            .Append(" and an earlier ").Append(RaceAccess.Noun(previous.Kind))
            .Append(" by ").Append(previous.Flow).Append(Text.At(previous.Site))
            .Append(" were not ordered: no lock, atomic operation, flow start or join, or publish/acquire that Brigade saw came between them, ")
            .Append("so they can happen in either order, or at once.");
        AppendStack(text, current);
        AppendStack(text, previous);
        text.Append('\n').Append("Make every access to '").Append(variable).Append("' hold one lock, use an atomic operation (Increment, Update, CompareExchange), ")
            .Append("or publish with WriteRelease and read with ReadAcquire.");
        if (current.ByThread && !previous.ByThread)
        {
            // Lib54: a Brigade run's items increment a Shared<int> atomically and the caller reads it after `await run`:
            // reported as a race, with advice to use atomics the code already used. The run orders the flow that started
            // it after every item, but outside a logical flow the code after an await is whichever thread resumed it.
            text.Append('\n').Append("If this ").Append(RaceAccess.Noun(current.Kind)).Append(" follows an await (of a Brigade run, a task, ")
                .Append(previous.Flow).Append("'s end), the detector did not see that wait: outside a logical flow, code after an await ")
                .Append("runs on whichever thread resumed it. Call RaceDetector.EnterFlow() first in the async method (analyzer BRG2006): ")
                .Append("a Brigade run it awaits is then ordered before the code after the await (RaceDetector.Joined does that for RaceDetector.Run tasks).");
        }

        return text.ToString();
    }

    private static void AppendStack(StringBuilder text, RaceAccess access)
    {
        var what = $"the {RaceAccess.Noun(access.Kind)} by {access.Flow}";
        if (access.Site?.StackTrace is { Length: > 0 } stack)
        {
            text.Append('\n').Append("  Stack of ").Append(what).Append(":\n").Append(stack.TrimEnd());
        }
        else
        {
            text.Append('\n').Append("  Stack of ").Append(what).Append(": not recorded (RaceDetectorOptions.CaptureStackTraces records every access's stack).");
        }
    }
}
