namespace Brigade.Engines;

/// <summary>
/// The failure of an item whose asynchronous task was still running <see cref="ItemRace{TOut}.Grace"/> after its caller left,
/// its token ignored: the run stopped waiting for it (review 47). A <see cref="TimeoutException"/> to callers.
/// </summary>
/// <remarks>Only the caller leaving abandons (lib48): the run cancelled through its token, or a stream's reader leaving
/// its loop. The message says which (review 49: it said "after the run was cancelled" for both, and a reader that broke
/// out of its loop had cancelled nothing).</remarks>
internal sealed class ItemAbandonedException : TimeoutException
{
    // The key an abandoned attempt's exception carries in its Data when it is not this type (an ItemTimeout's abandonment
    // is Polly's TimeoutRejectedException, review 46).
    private const string AbandonedKey = "Brigade.Abandoned";

    /// <summary>Initializes the failure of an item abandoned <paramref name="grace"/> after its caller left.</summary>
    /// <param name="grace">How long the item had after its caller left.</param>
    /// <param name="readerLeft">Whether the caller that left was a stream's reader leaving its loop; <see langword="false"/>:
    /// the run was cancelled through its token.</param>
    public ItemAbandonedException(TimeSpan grace, bool readerLeft)
        : base(readerLeft
            ? $"The item ignored the run's cancellation: it was still running {grace.TotalSeconds:0.#} s after the stream's reader left its loop, which stopped the run, and was abandoned (its task may still be running)."
            : $"The item ignored the run's cancellation: it was still running {grace.TotalSeconds:0.#} s after the run was cancelled, and was abandoned (its task may still be running).")
    {
    }

    /// <summary>Marks <paramref name="e"/> as the failure of an abandoned attempt and returns it.</summary>
    internal static TException Mark<TException>(TException e)
        where TException : Exception
    {
        e.Data[AbandonedKey] = true;
        return e;
    }

    /// <summary>Gets how many of a run's failures are abandoned items (their task may still be running).</summary>
    internal static int CountIn(IReadOnlyList<ItemFailure> failures)
    {
        var n = 0;
        foreach (var f in failures)
        {
            if (f.Exception is ItemAbandonedException || (f.Exception.Data.Contains(AbandonedKey) && f.Exception.Data[AbandonedKey] is true))
            {
                n++;
            }
        }

        return n;
    }
}
