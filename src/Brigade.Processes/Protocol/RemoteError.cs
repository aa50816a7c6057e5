namespace Brigade.Processes.Protocol;

/// <summary>An exception as it crosses the wire: type name, message, stack trace, and its inner exceptions.</summary>
internal static class RemoteError
{
    public static void Write(FrameBuffer buffer, Exception exception, int depth = 0)
    {
        buffer.WriteString(exception.GetType().FullName ?? exception.GetType().Name);
        buffer.WriteString(exception.Message);
        buffer.WriteString(exception.StackTrace);
        var inner = exception.InnerException;
        if (inner is not null && depth + 1 < WireFormat.MaxExceptionDepth)
        {
            buffer.WriteByte(1);
            Write(buffer, inner, depth + 1);
        }
        else
        {
            buffer.WriteByte(0);
        }
    }

    public static RemoteWorkException Read(ref PayloadReader reader, string? location, int depth = 0)
    {
        var type = reader.ReadString();
        var message = reader.ReadString() ?? "";
        var stack = reader.ReadString();
        RemoteWorkException? inner = null;
        if (reader.ReadByte() != 0)
        {
            if (depth + 1 >= WireFormat.MaxExceptionDepth)
            {
                throw new ProtocolException("Malformed payload: exceptions nested deeper than the protocol allows.");
            }

            inner = Read(ref reader, location, depth + 1);
        }

        return new RemoteWorkException(string.IsNullOrEmpty(type) ? "System.Exception" : type, message, stack, location, inner);
    }
}
