namespace Brigade.Processes.Protocol;

/// <summary>The kinds of frame on the host-worker channel; values below 64 go to the worker, from 64 up come back.</summary>
internal enum MessageType : byte
{
    /// <summary>Host to worker, first frame: magic and protocol version.</summary>
    Hello = 1,

    /// <summary>Host to worker: create an instance of a work type (by name) under a work id.</summary>
    Prepare = 2,

    /// <summary>Host to worker: run a batch of serialized inputs on a prepared work id.</summary>
    Batch = 3,

    /// <summary>Host to worker: stop a batch before its next item.</summary>
    Cancel = 4,

    /// <summary>Host to worker: drop (and dispose) the instance of a work id.</summary>
    Release = 5,

    /// <summary>Worker to host, first frame: magic, protocol version, process id.</summary>
    Ready = 65,

    /// <summary>Worker to host: the outcome of a Prepare.</summary>
    Prepared = 66,

    /// <summary>Worker to host: results and failures of consecutive items of a batch; the last chunk of a batch is marked final.</summary>
    Results = 67,

    /// <summary>Worker to host: the worker cannot go on (it exits after sending this).</summary>
    Fatal = 68,
}
