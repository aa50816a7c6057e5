namespace Brigade.Samples.WorkTypes;

/// <summary>Squares a number: the smallest work type there is.</summary>
public sealed class SquareWork : IWork<long, long>
{
    /// <inheritdoc/>
    public long Execute(long input) => input * input;
}
