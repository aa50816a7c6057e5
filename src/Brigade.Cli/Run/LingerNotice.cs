namespace Brigade.Cli.Run;

/// <summary>
/// What to say when a command's first process has exited and its output is still held open, after
/// <paramref name="After"/>: a process it left in the background (<c>sleep 60 &amp; echo hi</c>, a server started with
/// <c>&amp;</c>) still has it. The item ends only once that process closes it, as a shell's <c>$(...)</c> would wait:
/// without <c>--timeout</c> a daemon left so kept its item, and the run, for as long as it lived, without a word.
/// </summary>
/// <param name="After">How long after the first process's exit to say it.</param>
/// <param name="Notify">Called once, on a timer's thread, with what holds the output (<c>pid 4242 (sleep)</c>, or empty
/// when no live process is left in the command's group: one that left it holds the output).</param>
internal sealed record LingerNotice(TimeSpan After, Action<string> Notify)
{
    /// <summary>The default <see cref="After"/>: long enough that a background job finishing its work is not told about.</summary>
    public static readonly TimeSpan DefaultAfter = TimeSpan.FromSeconds(10);

    /// <summary>Describes the live processes of group <paramref name="group"/> (those that may hold the output).</summary>
    public static string Holders(int group)
    {
        var members = ProcessGroup.LiveMembers(group);
        return string.Join(", ", members.Take(3).Select(m => $"pid {m.Pid} ({m.Name})")) + (members.Count > 3 ? $" and {members.Count - 3} more" : "");
    }
}
