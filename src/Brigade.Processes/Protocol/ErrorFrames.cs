using Brigade.Engines.Remote;

namespace Brigade.Processes.Protocol;

/// <summary>A <see cref="RemoteError"/> on the wire: type name, message, stack trace, then a byte that says whether an inner exception follows.</summary>
internal static class ErrorFrames
{
    public static void Write(FrameBuffer buffer, RemoteError error)
    {
        buffer.WriteString(error.Type);
        buffer.WriteString(error.Message);
        buffer.WriteString(error.StackTrace);
        if (error.Inner is { } inner)
        {
            buffer.WriteByte(1);
            Write(buffer, inner);
        }
        else
        {
            buffer.WriteByte(0);
        }
    }

    public static RemoteError Read(ref PayloadReader reader, int depth = 0)
    {
        var type = reader.ReadString() ?? "";
        var message = reader.ReadString() ?? "";
        var stack = reader.ReadString();
        RemoteError? inner = null;
        if (reader.ReadByte() != 0)
        {
            if (depth + 1 >= RemoteError.MaxDepth)
            {
                throw new ProtocolException("Malformed payload: exceptions nested deeper than the protocol allows.");
            }

            inner = Read(ref reader, depth + 1);
        }

        return new RemoteError(type, message, stack, inner);
    }
}
