using Brigade.Engines.Remote;

namespace Brigade.Processes.Protocol;

/// <summary>A <see cref="RemoteError"/> on the wire: type name, message, stack trace, then a byte that says what inner
/// exceptions follow: 0 none, 1 one (written the same way), 2 an aggregate's (an Int32 count, then each).</summary>
/// <remarks>Flag 2 is new in protocol version 4 (review 43); before, an aggregate crossed with its first inner exception
/// only. Version 3 frames read the same. Bit 0x80 of the flag is new in review 60: the exception's public scalar properties
/// and Data entries follow the flag (<see cref="ExceptionFields"/>).</remarks>
internal static class ErrorFrames
{
    private const byte NoInner = 0;
    private const byte OneInner = 1;
    private const byte AggregateInners = 2;

    // Set on the inner-exception flag when the exception's properties and Data entries follow it (review 60): an Int32
    // count and that many name/value strings, twice. Frames without it read as before.
    private const byte FieldsFollow = 0x80;

    public static void Write(FrameBuffer buffer, RemoteError error)
    {
        buffer.WriteString(error.Type);
        buffer.WriteString(error.Message);
        buffer.WriteString(error.StackTrace);
        var fields = error.Properties is { Count: > 0 } || error.Data is { Count: > 0 } ? FieldsFollow : (byte)0;
        if (error.Inners is { Count: > 0 } inners)
        {
            buffer.WriteByte((byte)(AggregateInners | fields));
            WriteFields(buffer, error, fields);
            buffer.WriteInt32(inners.Count);
            foreach (var inner in inners)
            {
                Write(buffer, inner);
            }
        }
        else if (error.Inner is { } inner)
        {
            buffer.WriteByte((byte)(OneInner | fields));
            WriteFields(buffer, error, fields);
            Write(buffer, inner);
        }
        else
        {
            buffer.WriteByte((byte)(NoInner | fields));
            WriteFields(buffer, error, fields);
        }
    }

    private static void WriteFields(FrameBuffer buffer, RemoteError error, byte fields)
    {
        if (fields == 0)
        {
            return;
        }

        WritePairs(buffer, error.Properties);
        WritePairs(buffer, error.Data);
    }

    private static void WritePairs(FrameBuffer buffer, IReadOnlyList<KeyValuePair<string, string>>? pairs)
    {
        var count = Math.Min(pairs?.Count ?? 0, ExceptionFields.MaxEntries);
        buffer.WriteInt32(count);
        for (var i = 0; i < count; i++)
        {
            buffer.WriteString(pairs![i].Key);
            buffer.WriteString(ExceptionFields.Cut(pairs[i].Value));
        }
    }

    private static KeyValuePair<string, string>[]? ReadPairs(ref PayloadReader reader)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > ExceptionFields.MaxEntries)
        {
            throw new ProtocolException($"Malformed payload: an exception with {count} properties or Data entries (0 to {ExceptionFields.MaxEntries} allowed).");
        }

        if (count == 0)
        {
            return null;
        }

        var pairs = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
        {
            var name = reader.ReadString() ?? "";
            var value = reader.ReadString() ?? "";
            if (name.Length > ExceptionFields.MaxName || value.Length > ExceptionFields.MaxValue)
            {
                throw new ProtocolException("Malformed payload: an exception's property or Data entry longer than the protocol allows.");
            }

            pairs[i] = new(name, value);
        }

        return pairs;
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
        IReadOnlyList<KeyValuePair<string, string>>? properties = null, data = null;
        if ((flag & FieldsFollow) != 0)
        {
            flag &= unchecked((byte)~FieldsFollow);
            properties = ReadPairs(ref reader);
            data = ReadPairs(ref reader);
        }

        return Inners(ref reader, type, message, stack, flag, depth, ref budget) with { Properties = properties, Data = data };
    }

    private static RemoteError Inners(ref PayloadReader reader, string type, string message, string? stack, byte flag, int depth, ref int budget)
    {
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
