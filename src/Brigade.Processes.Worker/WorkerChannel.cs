using Brigade.Engines.Remote;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Worker;

/// <summary>The worker's end of the channel to the host: whole frames, one writer at a time.</summary>
internal sealed class WorkerChannel(Stream output)
{
    // Guards output: the executor thread writes results while the reader thread may report a fatal error.
    private readonly Lock _gate = new();
    private bool _closed;

    // Review 65c: a value referred to (a work's own large byte[] result) goes to the pipe through this kept buffer, a
    // piece at a time, rather than straight from its array (see RemoteValueStage: the kernel's copy into the pipe from
    // pages just faulted in is slow here).
    internal const int StageBytes = RemoteValueStage.Bytes;
    // Made by the first write, not with the channel: the channel is made before the worker's handler for an assembly it
    // cannot load, and a RemoteValueStage needs Brigade.dll (review 65: a host without Brigade.dll beside it crashed on it
    // instead of saying "could not load 'Brigade, ...'", MissingBrigadeAssemblyTests).
    private RemoteValueStage? _stage;

    public void Write(FrameBuffer frame)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                frame.WriteTo(output, _stage ??= new());
            }
        }
    }

    /// <summary>Writes a frame whose last bytes are not in <paramref name="head"/> (see <see cref="FrameBuffer.EndFrame(int)"/>):
    /// <paramref name="tail"/>, with each of <paramref name="references"/>' bytes spliced in at its place. One frame on the
    /// wire, with no copy of the tail or of the values referred to.</summary>
    public void Write(FrameBuffer head, ReadOnlySpan<byte> tail, ReadOnlySpan<RemoteValueReference> references = default)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                RemoteValueBuffer.WriteSpliced(output, head.WrittenSpan, tail, references, _stage ??= new());
            }
        }
    }

    /// <summary>Gets whether the worker holds its staging buffer (allocated by its first large value referred to).</summary>
    internal bool HoldsStage => _stage is { Holds: true };

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            output.Write(bytes);
            output.Flush();
        }
    }

    public void TrySendFatal(string message)
    {
        try
        {
            var frame = new FrameBuffer(256);
            frame.BeginFrame(MessageType.Fatal);
            frame.WriteString(message);
            frame.EndFrame();
            Write(frame);
        }
        catch (IOException)
        {
            // The host is gone: nobody to tell.
        }
    }

    /// <summary>Closes the output for good (a fault-injection test of a truncated frame).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            output.Dispose();
        }
    }
}
