namespace Brigade.Cli.Run;

/// <summary>What <c>brigade run</c> does with its items: a shell command per item, or a .NET work type.</summary>
internal abstract class JobWork
{
    /// <summary>Gets a stable description of the work, recorded in the journal so a resume runs the same job.</summary>
    public abstract string Description { get; }

    /// <summary>Turns an input item into what the work takes; throws <see cref="FormatException"/> when it cannot (the item then fails without running).</summary>
    public abstract object Prepare(InputItem item);

    /// <summary>Checks the work against the input's first item (a CSV header's columns) before anything runs; throws <see cref="CliUsageException"/>.</summary>
    public virtual void CheckFirstItem(InputItem item)
    {
    }

    /// <summary>
    /// Starts the run over prepared items. Results carry the position of the item among those prepared (0, 1, 2, ...)
    /// and the bytes that go to the output file; a failure's exception message is what the failures file says.
    /// </summary>
    /// <param name="prepared">The prepared items, in input order.</param>
    /// <param name="options">How to run.</param>
    /// <param name="onCompleted">Called as each item finishes, before ordering, when the work can tell (for the journal): a failure only at its last attempt,
    /// with what its command wrote to stdout (or null) beside the reason.</param>
    public abstract JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<PreparedItem, byte[]?, string?> onCompleted);

    /// <summary>Gets how many items are running now, counted by the work itself (its commands), or null when only the
    /// engine's progress knows (reported at intervals, so right after commands started it can count fewer than run).</summary>
    public virtual long? RunningNow => null;

    /// <summary>Releases what the work holds (worker processes, a cluster connection).</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
