namespace Brigade.Auto;

/// <summary>What worker loops follow right now: where they run, how many, and their batches. Immutable; replaced whole.</summary>
/// <param name="Kind">Where workers run.</param>
/// <param name="Width">How many workers of that kind may run.</param>
/// <param name="BatchSize">The batch size workers restart adaptation from when the plan changes.</param>
/// <param name="TargetBatch">The batch duration workers adapt towards.</param>
/// <param name="Generation">Increases with every change, so loops notice it.</param>
/// <param name="Probing">Whether the run is still sampling (no decision yet).</param>
internal sealed record ActivePlan(LoopKind Kind, int Width, int BatchSize, TimeSpan TargetBatch, long Generation, bool Probing);
