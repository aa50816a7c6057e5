namespace Brigade.Synchronization;

/// <summary>What an acquisition asks of a primitive.</summary>
internal enum AccessMode
{
    /// <summary>A <see cref="DetectingLock"/>.</summary>
    Exclusive,

    /// <summary>A permit of a <see cref="DetectingSemaphore"/>.</summary>
    Permit,

    /// <summary>The read side of a <see cref="DetectingReaderWriterLock"/>.</summary>
    Read,

    /// <summary>The write side of a <see cref="DetectingReaderWriterLock"/>.</summary>
    Write,
}
