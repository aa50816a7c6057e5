namespace Brigade.Cli.Run;

/// <summary>An input item and what the work takes from it (a rendered command, a converted value).</summary>
/// <param name="Item">The item as read from the input.</param>
/// <param name="Value">What <see cref="JobWork.Prepare"/> made of it.</param>
/// <remarks>
/// A class, not a value tuple: the engine's generic code (EngineJob, the auto-mode run, the pipeline) then runs on its
/// shared instantiation over reference types, which Brigade.dll's ReadyToRun image holds; over a value tuple, a type of
/// the framework's, every one of those methods was compiled at run time (a few hundred, at start-up).
/// </remarks>
internal sealed record PreparedItem(InputItem Item, object Value)
{
    /// <summary>
    /// Gets or sets how many times the work has been started on the item: the engine's retry (<see cref="JobRetry"/>)
    /// calls the work once per attempt, and the work counts here, so the failures file and the journal can say how many
    /// attempts a failed item took. Written by the one worker running the item's attempts, one after another.
    /// </summary>
    public int Attempts { get; set; }

    /// <summary>
    /// Gets or sets what the item's last attempt wrote to stdout when it failed (null when nothing, or when it succeeded):
    /// a failed command's output is delivered in its place, as GNU parallel and xargs print it. Written by the worker
    /// running the item before its failure reaches the run's loop.
    /// </summary>
    public byte[]? FailedOutput { get; set; }
}
