namespace Brigade.Processes.Protocol;

/// <summary>
/// The constants of the host-worker protocol. Every frame is <c>[int32 length][byte type][payload]</c>, little-endian,
/// where length counts the type byte and the payload. See docs/processes.md for the messages.
/// </summary>
internal static class WireFormat
{
    /// <summary>"BRGD", little-endian: the first field of Hello and Ready, so a stray process is told apart at once.</summary>
    public const uint Magic = 0x44475242;

    /// <summary>The protocol version; a host and a worker must agree exactly.</summary>
    /// <remarks>2: Prepare may carry the run's item policy (<see cref="PrepareItemPolicy"/>) and Results each failure's
    /// attempts (<see cref="ResultsAttempts"/>); without them every frame is byte for byte version 1's. 3: batch ids
    /// (in Batch, Results and Cancel) are int64, so that they never wrap in a worker's life. 4: a failure's error may carry
    /// every inner exception of an aggregate (<see cref="ErrorFrames"/>' flag 2); every other frame is byte for byte
    /// version 3's, and a host of version 4 reads version 3's errors the same. 5: Prepare carries the caller's culture
    /// names (<see cref="PrepareCulture"/>, <see cref="RunCulture"/>); a version-4 worker would run under its own. 6: <c>byte[]</c>
    /// and <c>ReadOnlyMemory&lt;byte&gt;</c> values travel as their length and bytes (value encoding 3,
    /// <c>RemoteValueCodec.RawBytes</c>), not base64 JSON; a version-5 side would not read them. 7: Results carry the
    /// run-queue wait of the worker's thread over the chunk (int64 ticks after its CPU, -1 when not measured), so that auto
    /// mode sets the worker's CPU against its own time less its waits for a core (review 65). 8: <c>string</c> values travel
    /// as their UTF-8 length and bytes (value encoding 4, <c>RemoteValueCodec.RawText</c>), not JSON; a version-7 side would
    /// not read them (review 66).</remarks>
    public const ushort Version = 8;

    /// <summary>Bytes before the payload: the length and the type.</summary>
    public const int HeaderLength = 5;

    /// <summary>The largest frame either side accepts (256 MiB); a length above it is a protocol error, not an allocation.</summary>
    public const int MaxFrameLength = 256 * 1024 * 1024;

    /// <summary>Batch flag: send a Results chunk after every item, so a crash names its item exactly.</summary>
    public const byte BatchFlushEachItem = 1;

    /// <summary>Prepare flag: report the worker's working set with each batch's final chunk.</summary>
    public const byte PrepareReportMemory = 1;

    /// <summary>Prepare flag: the run's item timeout and retry follow the flags (<see cref="PolicyFrames"/>).</summary>
    public const byte PrepareItemPolicy = 2;

    /// <summary>Prepare flag: the caller's culture and UI culture names follow (after the item policy, if any).</summary>
    public const byte PrepareCulture = 4;

    /// <summary>Results flag: the batch is over (finished, or stopped by Cancel); items after this chunk did not run.</summary>
    public const byte ResultsFinal = 1;

    /// <summary>Results flag: each failure's exception is followed by its attempts (int32).</summary>
    public const byte ResultsAttempts = 2;

    /// <summary>The name of the environment variable that makes a worker misbehave on purpose, for protocol tests.</summary>
    public const string FaultVariable = "BRIGADE_WORKER_FAULT";
}
