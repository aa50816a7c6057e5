namespace Brigade.Doctor;

/// <summary>One step of a cycle of awaits with no thread in it (an async method, a task it awaits, a queued wait), and why
/// it waits for the next step; the last step waits for the first.</summary>
public sealed class AwaitCycleLink
{
    internal AwaitCycleLink(AwaitedTask step, AwaitLinkKind waitsForNext, string? evidence)
    {
        Step = step;
        WaitsForNext = waitsForNext;
        Evidence = evidence;
    }

    /// <summary>Gets the step: its address in the dump and its description (<c>async method Shop.PriceAsync (suspended at
    /// await #1: Discount.Value, Program.cs:285)</c>, <c>Task.WhenAll</c>, a channel's <c>WriteAsync</c>...). Its
    /// <see cref="AwaitedTask.Awaits"/> is null: the next link is what it waits for.</summary>
    public AwaitedTask Step { get; }

    /// <summary>Gets why it waits for the next step: a fact (<see cref="AwaitLinkKind.Awaits"/>) or an inference.</summary>
    public AwaitLinkKind WaitsForNext { get; }

    /// <summary>Gets, for an inferred link, what it rests on (<c>Priced.SetResult(...) (Program.cs:188)</c>, <c>await
    /// Orders.WaitAsync() (Program.cs:180)</c>, the channel); null for an await.</summary>
    public string? Evidence { get; }
}
