namespace Brigade;

/// <summary>What a run does when an item's work throws.</summary>
public enum FailureMode
{
    /// <summary>Record the failure with the item's index and keep running every other item. The default.</summary>
    Continue = 0,

    /// <summary>Record the failure, start no further items, and finish the items already running.</summary>
    StopOnFirstFailure = 1,
}
