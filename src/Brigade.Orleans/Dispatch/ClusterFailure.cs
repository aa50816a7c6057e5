namespace Brigade.Orleans.Dispatch;

/// <summary>How a failed attempt goes back to the queue.</summary>
internal enum ClusterFailure
{
    /// <summary>The call could not be delivered, or the run is ending: the batch goes back whole and the attempt does not count.</summary>
    NotTheItems,

    /// <summary>The silo left or went quiet: the batch goes back whole, and the attempt counts.</summary>
    SiloGone,

    /// <summary>The call failed while its silo stayed: it may be the items' doing, so the batch goes back in halves.</summary>
    Call,
}
