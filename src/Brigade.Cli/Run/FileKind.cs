namespace Brigade.Cli.Run;

/// <summary>What is at a path <c>brigade run</c> is asked to read or write.</summary>
internal enum FileKind
{
    /// <summary>Nothing yet: a file will be created.</summary>
    Missing,

    /// <summary>A regular file: it can be truncated and its length tells how far it goes.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A character device, pipe or socket (<c>/dev/null</c>, a FIFO): written in order, never truncated or measured.</summary>
    Special,
}
