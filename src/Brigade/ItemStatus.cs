namespace Brigade;

/// <summary>How one item of a run ended.</summary>
public enum ItemStatus
{
    /// <summary>The work returned a value.</summary>
    Succeeded = 0,

    /// <summary>The work threw; see <see cref="ItemResult{T}.Exception"/>.</summary>
    Failed = 1,

    /// <summary>The item was never started because the run stopped (first failure or cancellation).</summary>
    NotRun = 2,
}
