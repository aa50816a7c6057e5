namespace Brigade.Synchronization;

/// <summary>A holder that kept getting a primitive while another waited.</summary>
public sealed class StarvationWinner
{
    internal StarvationWinner(string holder, long grants)
    {
        Holder = holder;
        Grants = grants;
    }

    /// <summary>Gets the thread or async flow.</summary>
    public string Holder { get; }

    /// <summary>Gets how many times it was granted the primitive and released it while the starved waiter waited.</summary>
    public long Grants { get; }

    /// <summary>Returns <c>holder ×grants</c>.</summary>
    /// <returns>The winner's text.</returns>
    public override string ToString() => $"{Holder} ×{Grants}";
}
