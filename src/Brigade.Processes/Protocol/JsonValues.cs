using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Brigade.Processes.Protocol;

/// <summary>
/// How a frame's values travel: normally as one JSON array (one serializer call for the whole batch, which is what
/// makes tiny items cheap); when that fails, each value length-prefixed on its own, so that only the values that
/// cannot be (de)serialized fail, each as its own item. Primitive numbers (<c>int</c>, <c>long</c>, <c>double</c>,
/// ...) travel as their raw bytes: host and worker run on the same machine, so the values arrive bit for bit, and
/// no text is formatted or parsed.
/// </summary>
internal static class JsonValues
{
    public const byte AsArray = 0;
    public const byte EachPrefixed = 1;
    public const byte Raw = 2;

    /// <summary>Whether values of <typeparamref name="T"/> travel as raw bytes: primitive numbers, <c>bool</c> and <c>char</c>.</summary>
    public static bool IsRaw<T>() =>
        typeof(T).IsPrimitive && typeof(T) != typeof(IntPtr) && typeof(T) != typeof(UIntPtr) && !RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    /// <summary>Gets metadata for <typeparamref name="T"/>[] when the options can provide it (a source-generated context may not).</summary>
    public static JsonTypeInfo<T[]>? ArrayTypeInfo<T>(JsonSerializerOptions options)
    {
        try
        {
            return options.TryGetTypeInfo(typeof(T[]), out var info) ? (JsonTypeInfo<T[]>)info : null;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Writes <paramref name="values"/>: as an array when possible, else each alone; returns the offsets (into <paramref name="values"/>) that could not be serialized, with why.</summary>
    public static List<(int Offset, Exception Error)>? Write<T>(FrameBuffer frame, Utf8JsonWriter writer, T[] values, int count, JsonTypeInfo<T> element, JsonTypeInfo<T[]>? array)
    {
        var mark = frame.Length;
        if (IsRaw<T>())
        {
            // T is a primitive (checked above): its array's memory is exactly the values' bytes.
            var bytes = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(values)), count * Unsafe.SizeOf<T>());
            frame.WriteByte(Raw);
            frame.WriteInt32(bytes.Length);
            frame.WriteBytes(bytes);
            return null;
        }

        if (array is not null)
        {
            try
            {
                frame.WriteByte(AsArray);
                var at = frame.BeginValue();
                writer.Reset(frame);
                JsonSerializer.Serialize(writer, count == values.Length ? values : values[..count], array);
                writer.Flush();
                frame.EndValue(at);
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                frame.Truncate(mark);
            }
        }

        frame.WriteByte(EachPrefixed);
        List<(int, Exception)>? failures = null;
        for (var i = 0; i < count; i++)
        {
            var at = frame.BeginValue();
            try
            {
                writer.Reset(frame);
                JsonSerializer.Serialize(writer, values[i], element);
                writer.Flush();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                frame.Truncate(at + 4);
                (failures ??= []).Add((i, e));
            }

            frame.EndValue(at);
        }

        return failures;
    }

    /// <summary>Reads <paramref name="count"/> values written by <see cref="Write"/>; an empty value (not sent) and one that fails to deserialize get an error instead.</summary>
    public static void Read<T>(ref PayloadReader reader, int count, T[] values, Exception?[] errors, JsonTypeInfo<T> element, JsonTypeInfo<T[]>? array)
    {
        Array.Clear(errors, 0, count);
        var encoding = reader.ReadByte();
        if (encoding == Raw)
        {
            var bytes = reader.ReadValue();
            if (!IsRaw<T>() || bytes.Length != count * Unsafe.SizeOf<T>())
            {
                throw new ProtocolException($"Raw values of {bytes.Length} bytes do not hold {count} values of {typeof(T).Name}.");
            }

            if (bytes.Length > 0)
            {
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(values)), ref MemoryMarshal.GetReference(bytes), (uint)bytes.Length);
            }

            return;
        }

        if (encoding == AsArray)
        {
            var json = reader.ReadValue();
            if (array is not null)
            {
                try
                {
                    var all = JsonSerializer.Deserialize(json, array);
                    if (all is null || all.Length != count)
                    {
                        throw new ProtocolException($"A value array holds {all?.Length ?? 0} values where {count} were announced.");
                    }

                    Array.Copy(all, values, count);
                    return;
                }
                catch (JsonException)
                {
                    // Some element does not deserialize: find which, one by one.
                }
                catch (NotSupportedException)
                {
                }
            }

            ReadElements(json, count, values, errors, element);
            return;
        }

        if (encoding != EachPrefixed)
        {
            throw new ProtocolException($"Unknown value encoding {encoding}.");
        }

        for (var i = 0; i < count; i++)
        {
            var json = reader.ReadValue();
            if (json.IsEmpty)
            {
                values[i] = default!;
                errors[i] = new InvalidDataException("The value could not be serialized by the sender.");
                continue;
            }

            Deserialize(json, i, values, errors, element);
        }
    }

    private static void ReadElements<T>(ReadOnlySpan<byte> json, int count, T[] values, Exception?[] errors, JsonTypeInfo<T> element)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new ProtocolException("A value array does not start with '['.");
            }

            for (var i = 0; i < count; i++)
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                {
                    throw new ProtocolException($"A value array ends after {i} of {count} values.");
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                Deserialize(json[start..(int)reader.BytesConsumed], i, values, errors, element);
            }
        }
        catch (JsonException e)
        {
            throw new ProtocolException($"A value array is not valid JSON: {e.Message}", e);
        }
    }

    private static void Deserialize<T>(ReadOnlySpan<byte> json, int i, T[] values, Exception?[] errors, JsonTypeInfo<T> element)
    {
        try
        {
            values[i] = JsonSerializer.Deserialize(json, element)!;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException or FormatException or OverflowException)
        {
            values[i] = default!;
            errors[i] = e;
        }
    }
}
