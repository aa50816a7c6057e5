namespace Brigade;

/// <summary>What a run does when an item's work throws.</summary>
public enum FailureMode
{
    /// <summary>Record the failure with the item's index and keep running every other item. The default.</summary>
    Continue = 0,

    /// <summary>Record the failure, start no further items, and finish the items already running.</summary>
    /// <remarks>The items already running get their token cancelled, and the run waits for them however long they take:
    /// one that ends with a result keeps it, one that ends on its token counts as not run. Nothing is abandoned after this
    /// stop; only the caller's own cancel (or a stream's reader leaving) abandons an item that ignores its token, a second
    /// later (see <see cref="RunOptions.FailureMode"/>).</remarks>
    StopOnFirstFailure = 1,
}
