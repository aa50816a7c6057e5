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
    // piece at a time, rather than straight from its array. The kernel's copy into the pipe from pages the process has
    // just faulted in (every new 10 MB array) cost 12-15 ms of system CPU per 10 MB more than from pages it had copied
    // from before (under this sandbox's PVM hypervisor, where the kernel's first touch of a new user page is slow), which
    // made sending from the array dearer than copying it into the values' buffer. A user-space copy into a warm 256 KiB
    // buffer costs about 1 ms per 10 MB and keeps the memory win (no 10 MB buffer kept).
    internal const int StageBytes = 256 * 1024;
    private byte[]? _stage;

    public void Write(FrameBuffer frame)
    {
        lock (_gate)
        {
            if (!_closed)
            {
                frame.WriteTo(output);
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
                output.Write(head.WrittenSpan);
                var written = 0;
                foreach (var reference in references)
                {
                    output.Write(tail[written..reference.At]);
                    WriteStaged(reference.Bytes.Span);
                    written = reference.At;
                }

                output.Write(tail[written..]);
                output.Flush();
            }
        }
    }

    /// <summary>Gets whether the worker holds its staging buffer (allocated by its first large value referred to).</summary>
    internal bool HoldsStage => _stage is not null;

    private void WriteStaged(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= StageBytes / 4)
        {
            output.Write(bytes);
            return;
        }

        var stage = _stage ??= new byte[StageBytes];
        for (var at = 0; at < bytes.Length; at += stage.Length)
        {
            var piece = bytes.Slice(at, Math.Min(stage.Length, bytes.Length - at));
            piece.CopyTo(stage);
            output.Write(stage, 0, piece.Length);
        }
    }

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
