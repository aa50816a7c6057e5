using System.Collections.Immutable;

namespace Brigade.Orleans.Dispatch;

/// <summary>A batch of a cluster run and its history of failed attempts: what goes back to the queue when one fails.</summary>
internal sealed record ClusterAttempt<TIn>(ItemBatch<TIn> Batch, int Tries, ImmutableList<string> History)
{
    /// <summary>This attempt, failed once more (the failure counts against its items).</summary>
    public ClusterAttempt<TIn> Failed(string what) => this with { Tries = Tries + 1, History = History.Add(what) };

    /// <summary>Whether this is a single item that has used up its attempts: it is reported failed, not retried.</summary>
    public bool IsExhausted(int maxAttempts) => Batch.Count == 1 && Tries >= maxAttempts;

    /// <summary>
    /// Whether the retry goes back in halves. A silo that left says nothing about the items: the batch goes back whole,
    /// unless it has used up its attempts. A failure on a silo that stayed may be the items' doing
    /// (<paramref name="mayBeTheItems"/>): halves go back, so that one item that cannot run is isolated in a few rounds
    /// and its neighbours complete.
    /// </summary>
    public bool SplitsOnRetry(bool mayBeTheItems, int maxAttempts) => Batch.Count > 1 && (mayBeTheItems || Tries >= maxAttempts);

    /// <summary>The two halves of the batch, each with this attempt's history.</summary>
    public (ClusterAttempt<TIn> First, ClusterAttempt<TIn> Second) Halves()
    {
        var half = Batch.Count / 2;
        return (new(new ItemBatch<TIn>(Batch.StartIndex, Batch.Items[..half]), Tries, History),
                new(new ItemBatch<TIn>(Batch.StartIndex + half, Batch.Items[half..]), Tries, History));
    }
}
