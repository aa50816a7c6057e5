namespace Brigade.Sinks;

/// <summary>An ordered stream's delivery waiting for one item while later results are held (review 46: a stream stalled on
/// one slow item said nothing).</summary>
/// <param name="Index">The item the delivery waits for.</param>
/// <param name="Held">How many finished results wait behind it (at the end of a wait, the most there were).</param>
/// <param name="Waited">How long it has waited (or waited).</param>
internal readonly record struct DeliveryWait(long Index, int Held, TimeSpan Waited);
