namespace Brigade.Cli.Run;

/// <summary>What <c>brigade run</c> does with one item: a shell command, or (later) a .NET work type.</summary>
internal interface IItemWork
{
    /// <summary>Gets a stable description of the work, recorded in the journal so a resume runs the same job.</summary>
    string Description { get; }

    /// <summary>Runs the item; throws to fail it (the message is what the failures file says).</summary>
    ValueTask<byte[]> RunAsync(InputItem item, CancellationToken cancellationToken);
}
