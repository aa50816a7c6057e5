using Brigade.Engines.Remote;

namespace Brigade.Processes.Protocol;

/// <summary>A <see cref="RemoteError"/> on the wire: type name, message, stack trace, then a byte that says what inner
/// exceptions follow: 0 none, 1 one (written the same way), 2 an aggregate's (an Int32 count, then each).</summary>
/// <remarks>Flag 2 is new in protocol version 4 (review 43); before, an aggregate crossed with its first inner exception
/// only. Version 3 frames read the same.</remarks>
internal static class ErrorFrames
{
    private const byte NoInner = 0;
    private const byte OneInner = 1;
    private const byte AggregateInners = 2;

    public static void Write(FrameBuffer buffer, RemoteError error)
    {
        buffer.WriteString(error.Type);
        buffer.WriteString(error.Message);
        buffer.WriteString(error.StackTrace);
        if (error.Inners is { Count: > 0 } inners)
        {
            buffer.WriteByte(AggregateInners);
            buffer.WriteInt32(inners.Count);
            foreach (var inner in inners)
            {
                Write(buffer, inner);
            }
        }
        else if (error.Inner is { } inner)
        {
            buffer.WriteByte(OneInner);
            Write(buffer, inner);
        }
        else
        {
            buffer.WriteByte(NoInner);
        }
    }

    public static RemoteError Read(ref PayloadReader reader)
    {
        var budget = RemoteError.MaxErrors;
        return Read(ref reader, 0, ref budget);
    }

    private static RemoteError Read(ref PayloadReader reader, int depth, ref int budget)
    {
        if (--budget < 0)
        {
            throw new ProtocolException($"Malformed payload: an error with more than {RemoteError.MaxErrors} exceptions.");
        }

        var type = reader.ReadString() ?? "";
        var message = reader.ReadString() ?? "";
        var stack = reader.ReadString();
        var flag = reader.ReadByte();
        if (flag == NoInner)
        {
            return new RemoteError(type, message, stack, null);
        }

        if (depth + 1 >= RemoteError.MaxDepth)
        {
            throw new ProtocolException("Malformed payload: exceptions nested deeper than the protocol allows.");
        }

        switch (flag)
        {
            case OneInner:
                return new RemoteError(type, message, stack, Read(ref reader, depth + 1, ref budget));
            case AggregateInners:
                var count = reader.ReadInt32();
                if (count < 1 || count > RemoteError.MaxInners)
                {
                    throw new ProtocolException($"Malformed payload: an aggregate of {count} inner exceptions (1 to {RemoteError.MaxInners} allowed).");
                }

                var inners = new RemoteError[count];
                for (var i = 0; i < count; i++)
                {
                    inners[i] = Read(ref reader, depth + 1, ref budget);
                }

                return new RemoteError(type, message, stack, inners[0]) { Inners = inners };
            default:
                throw new ProtocolException($"Malformed payload: inner-exception flag {flag}.");
        }
    }
}
