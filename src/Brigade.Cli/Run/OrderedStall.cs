namespace Brigade.Cli.Run;

/// <summary>The ordered output of a run held behind one item: its input line, how long it has waited, the results held.</summary>
internal sealed record OrderedStall(long Line, TimeSpan Waited, int Held);
