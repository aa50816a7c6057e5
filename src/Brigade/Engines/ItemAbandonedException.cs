namespace Brigade.Engines;

/// <summary>
/// The failure of an item whose asynchronous task was still running <see cref="ItemRace{TOut}.Grace"/> after the run was
/// cancelled, its token ignored: the run stopped waiting for it (review 47). A <see cref="TimeoutException"/> to callers.
/// </summary>
internal sealed class ItemAbandonedException : TimeoutException
{
    // The key an abandoned attempt's exception carries in its Data when it is not this type (an ItemTimeout's abandonment
    // is Polly's TimeoutRejectedException, review 46).
    private const string AbandonedKey = "Brigade.Abandoned";

    public ItemAbandonedException(TimeSpan grace)
        : base($"The item ignored the run's cancellation: it was still running {grace.TotalSeconds:0.#} s after the run was cancelled, and was abandoned (its task may still be running).")
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
