namespace Brigade.Cli.Run;

/// <summary>The longest record <c>brigade run</c> reads as one item, and why (said in the failure of a longer one).</summary>
/// <param name="Bytes">The longest record, without its separator.</param>
/// <param name="Why">What follows "over the N" in the failure: the unit and what sets the limit.</param>
internal readonly record struct RecordLimit(long Bytes, string Why);
