using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Brigade.Engines.Remote;

/// <summary>
/// How a batch's values travel between the engine and the place that runs them: normally as one JSON array (one
/// serializer call for the whole batch, which is what makes tiny items cheap); when that fails, each value
/// length-prefixed on its own, so that only the values that cannot be (de)serialized fail, each as its own item.
/// Primitive numbers (<c>int</c>, <c>long</c>, <c>double</c>, ...) may travel as their raw bytes when both sides run
/// on one machine (<c>allowRaw</c>), so no text is formatted or parsed; so may <c>byte[]</c> and <c>ReadOnlyMemory&lt;byte&gt;</c>
/// (<see cref="RawBytes"/>: each value's length and its bytes, where JSON would carry base64, a third larger and encoded
/// and decoded on both sides), and so may <c>string</c> (<see cref="RawText"/>: each value's UTF-8 length and bytes, where JSON
/// would escape them into a buffer the serializer sizes at three bytes a character). A leading byte says which encoding follows,
/// so the reader needs no agreement beyond the value type.
/// </summary>
/// <typeparam name="T">The type the caller holds the values as: the work's own type, or (through the variance rule of
/// <see cref="WorkTypeCheck"/>) a more derived input or a less derived result. Only the exact type takes the typed fast
/// path and raw bytes; the others are written and read through the work's metadata, with no cast that can fail.</typeparam>
/// <remarks>One codec per loop (it keeps a JSON writer): not thread-safe.</remarks>
internal sealed class RemoteValueCodec<T> : IDisposable
{
    public const byte AsArray = 0;
    public const byte EachPrefixed = 1;
    public const byte Raw = 2;

    /// <summary>Byte arrays (<c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c>) as they are: per value an int32 length (-1 for a null
    /// array) and the bytes. Like <see cref="Raw"/>, only between processes of one machine.</summary>
    public const byte RawBytes = 3;

    /// <summary>Strings as UTF-8: per value an int32 byte count (-1 for null) and the bytes, a large one encoded only as it is
    /// written to the pipe (<see cref="RemoteValueBuffer.WriteTextOrReference"/>). Like <see cref="Raw"/>, only between
    /// processes of one machine (protocol version 8).</summary>
    public const byte RawText = 4;

    // RawText's length of a value the sender could not send (as an empty value of EachPrefixed).
    private const int NotSent = -2;

    // The longest string whose UTF-8 length surely fits an int32 (three bytes a UTF-16 character at most).
    private const int MaxTextLength = int.MaxValue / 3;

    private readonly Func<JsonTypeInfo>? _resolve;
    private readonly Type _wireType;
    private readonly bool _exact;
    private readonly bool _raw;
    private readonly bool _refuseLostMembers;
    private Metadata? _json;
    private Utf8JsonWriter? _writer;

    /// <param name="wire">The work's metadata for the values (<see cref="WorkDescriptor.InputTypeInfo"/> or <see cref="WorkDescriptor.OutputTypeInfo"/>).</param>
    /// <param name="allowRaw">Whether primitive numbers may travel as raw bytes: only between processes of one machine.</param>
    public RemoteValueCodec(JsonTypeInfo wire, bool allowRaw)
    {
        ArgumentNullException.ThrowIfNull(wire);
        _json = new Metadata(wire, refuseLostMembers: false);
        _wireType = wire.Type;
        _exact = _json.Element is not null;
        _raw = allowRaw && _exact && (IsRaw() || IsBytes() || IsText());
    }

    /// <summary>
    /// A codec whose JSON metadata is resolved only when a value first needs it. Values that travel as raw bytes never do:
    /// a worker process whose work takes and returns primitive numbers then never builds the serializer's metadata, which
    /// is a quarter of a cold worker's CPU before its first result. Other types resolve it here, as the other constructor does.
    /// </summary>
    /// <param name="wireType">The work's type for the values (<see cref="WorkDescriptor.InputType"/> or <see cref="WorkDescriptor.OutputType"/>).</param>
    /// <param name="wire">Resolves the work's metadata for the values.</param>
    /// <param name="allowRaw">Whether primitive numbers may travel as raw bytes: only between processes of one machine.</param>
    /// <param name="refuseLostMembers">Whether a value of a type derived from <paramref name="wireType"/> that has members the
    /// work's type lacks fails by itself instead of travelling as the work's type without them: for results, which the
    /// caller reads as what the work returned (an input is read by the work as its declared type, so it travels as that).</param>
    public RemoteValueCodec(Type wireType, Func<JsonTypeInfo> wire, bool allowRaw, bool refuseLostMembers = false)
    {
        ArgumentNullException.ThrowIfNull(wireType);
        ArgumentNullException.ThrowIfNull(wire);
        _refuseLostMembers = refuseLostMembers;
        _wireType = wireType;
        _exact = wireType == typeof(T);
        _raw = allowRaw && TravelsRaw(wireType);
        if (_raw)
        {
            _resolve = wire;
        }
        else
        {
            _json = new Metadata(wire(), refuseLostMembers);
        }
    }

    // The JSON side: the work's metadata, T's own when it is the work's type, and T[]'s when the options have it.
    private Metadata Json => _json ??= new Metadata(_resolve!(), _refuseLostMembers);

    /// <summary>Gets whether values of <typeparamref name="T"/>, for a work whose values are <paramref name="wireType"/>, travel
    /// as raw bytes where raw bytes are allowed (primitive numbers, <c>byte[]</c>, <c>ReadOnlyMemory&lt;byte&gt;</c> or <c>string</c>
    /// of the work's own type), never as JSON.</summary>
    public static bool TravelsRaw(Type wireType) => wireType == typeof(T) && (IsRaw() || IsBytes() || IsText());

    /// <summary>Gets whether <typeparamref name="T"/> is <c>byte[]</c> or <c>ReadOnlyMemory&lt;byte&gt;</c>: each value travels as its
    /// length and bytes (<see cref="RawBytes"/>).</summary>
    public static bool IsBytes() => typeof(T) == typeof(byte[]) || typeof(T) == typeof(ReadOnlyMemory<byte>);

    /// <summary>Gets whether <typeparamref name="T"/> is <c>string</c>: each value travels as its UTF-8 length and bytes
    /// (<see cref="RawText"/>).</summary>
    public static bool IsText() => typeof(T) == typeof(string);

    /// <summary>Gets whether values of <typeparamref name="T"/> are primitive numbers, <c>bool</c> or <c>char</c>: raw bytes can carry them.</summary>
    public static bool IsRaw() =>
        typeof(T).IsPrimitive && typeof(T) != typeof(IntPtr) && typeof(T) != typeof(UIntPtr) && !RuntimeHelpers.IsReferenceOrContainsReferences<T>();

    /// <summary>Writes the first <paramref name="count"/> of <paramref name="values"/>: as an array when possible, else each alone.</summary>
    /// <returns>The offsets (into <paramref name="values"/>) that could not be serialized, with why; <see langword="null"/> when all were.</returns>
    public List<(int Offset, Exception Error)>? Write(IRemoteValueBuffer buffer, T[] values, int count)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(values);
        var mark = buffer.Length;
        if (_raw && IsBytes())
        {
            WriteBytes(buffer, values, count);
            return null;
        }

        if (_raw && IsText())
        {
            return WriteText(buffer, (string?[])(object)values, count);
        }

        if (_raw)
        {
            // T is a primitive (checked at construction): its array's memory is exactly the values' bytes.
            var bytes = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(values)), count * Unsafe.SizeOf<T>());
            buffer.WriteByte(Raw);
            buffer.WriteInt32(bytes.Length);
            buffer.WriteBytes(bytes);
            return null;
        }

        var json = Json;
        var writer = _writer ??= new Utf8JsonWriter(buffer, json.WriterOptions);

        // The exact type goes as one array when its options give metadata for T[] (a source-generated context may not);
        // another type (variance) as an array written element by element. A value of a derived type whose members the
        // work's type lacks goes each alone, where it fails by itself (SerializeOne).
        if ((json.Array is not null || json.Element is null) && !(json.Checked && AnyLoses(json, values, count)))
        {
            if (TryWriteArray(buffer, writer, values, count))
            {
                return null;
            }

            buffer.Truncate(mark);
        }

        buffer.WriteByte(EachPrefixed);
        List<(int, Exception)>? failures = null;
        for (var i = 0; i < count; i++)
        {
            var at = buffer.BeginValue();
            try
            {
                writer.Reset(buffer);
                SerializeOne(writer, values[i]);
                writer.Flush();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                buffer.Truncate(at + 4);
                (failures ??= []).Add((i, e));
            }

            buffer.EndValue(at);
        }

        return failures;
    }

    /// <summary>
    /// Writes the results of the items that succeeded, <paramref name="values"/>[..<paramref name="count"/>], whose item
    /// offsets are <paramref name="offsets"/>[..<paramref name="count"/>]. A result that cannot be serialized fails its
    /// item instead (<paramref name="failed"/> gets the item's offset and why); the others are written again without it,
    /// compacted to the front of both arrays.
    /// </summary>
    /// <returns>How many results were written.</returns>
    public int WriteSucceeded(IRemoteValueBuffer buffer, T[] values, int[] offsets, int count, Action<int, Exception> failed)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(offsets);
        ArgumentNullException.ThrowIfNull(failed);
        var mark = buffer.Length;
        if (Write(buffer, values, count) is not { } unserializable)
        {
            return count;
        }

        var keep = 0;
        var bad = unserializable.ToDictionary(u => u.Offset, u => u.Error);
        for (var j = 0; j < count; j++)
        {
            if (bad.TryGetValue(j, out var error))
            {
                failed(offsets[j], error);
            }
            else
            {
                values[keep] = values[j];
                offsets[keep++] = offsets[j];
            }
        }

        Array.Clear(values, keep, count - keep);
        buffer.Truncate(mark);
        Write(buffer, values, keep);
        return keep;
    }

    /// <summary>Reads <paramref name="count"/> values written by <see cref="Write"/>; an empty value (not sent) and one that
    /// fails to deserialize get an error in <paramref name="errors"/> instead.</summary>
    /// <returns>How many bytes of <paramref name="source"/> the values took.</returns>
    /// <exception cref="RemoteFormatException">The bytes are not values written by <see cref="Write"/>.</exception>
    public int Read(ReadOnlySpan<byte> source, int count, T[] values, Exception?[] errors)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errors);
        Array.Clear(errors, 0, count);
        var reader = new RemoteValueReader(source);
        var encoding = reader.ReadByte();
        if (encoding == RawBytes)
        {
            if (_exact && IsBytes())
            {
                ReadBytes(ref reader, count, values);
                return reader.Position;
            }

            // Variance: an IWork<X, byte[]> is an IWork<X, object> (or IList<byte>, ...): the worker writes the work's byte[]
            // results raw, and a caller holding them as a base type reads the arrays as they are.
            if (_wireType != typeof(byte[]) || !typeof(T).IsAssignableFrom(typeof(byte[])))
            {
                throw new RemoteFormatException($"Raw byte arrays cannot be read as {typeof(T).Name}.");
            }

            for (var i = 0; i < count; i++)
            {
                var length = reader.ReadInt32();
                values[i] = length == -1 ? default! : (T)(object)reader.ReadBytes(length).ToArray();
            }

            return reader.Position;
        }

        if (encoding == RawText)
        {
            // Variance as for RawBytes: a caller may hold a string work's results as object.
            if (_wireType != typeof(string) || !typeof(T).IsAssignableFrom(typeof(string)))
            {
                throw new RemoteFormatException($"Raw strings cannot be read as {typeof(T).Name}.");
            }

            for (var i = 0; i < count; i++)
            {
                var length = reader.ReadInt32();
                if (length == NotSent)
                {
                    values[i] = default!;
                    errors[i] = new InvalidDataException("The value could not be serialized by the sender.");
                    continue;
                }

                values[i] = length == -1 ? default! : (T)(object)Encoding.UTF8.GetString(reader.ReadBytes(length));
            }

            return reader.Position;
        }

        if (encoding == Raw)
        {
            var bytes = reader.ReadValue();
            if (!_exact || !IsRaw() || bytes.Length != count * Unsafe.SizeOf<T>())
            {
                throw new RemoteFormatException($"Raw values of {bytes.Length} bytes do not hold {count} values of {typeof(T).Name}.");
            }

            if (bytes.Length > 0)
            {
                Unsafe.CopyBlockUnaligned(ref Unsafe.As<T, byte>(ref MemoryMarshal.GetArrayDataReference(values)), ref MemoryMarshal.GetReference(bytes), (uint)bytes.Length);
            }

            return reader.Position;
        }

        if (encoding == AsArray)
        {
            var json = reader.ReadValue();
            if (Json.Array is not null && TryReadArray(json, count, values))
            {
                return reader.Position;
            }

            ReadElements(json, count, values, errors);
            return reader.Position;
        }

        if (encoding != EachPrefixed)
        {
            throw new RemoteFormatException($"Unknown value encoding {encoding}.");
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

            Deserialize(json, i, values, errors);
        }

        return reader.Position;
    }

    public void Dispose() => _writer?.Dispose();

    // T is byte[] or ReadOnlyMemory<byte> (IsBytes): the casts below are of the array's own type.
    // A large value goes by reference where the buffer allows (a worker process writes it to the pipe from the result's own
    // array: review 65, a 10 MB result was copied into the values' buffer first).
    private static void WriteBytes(IRemoteValueBuffer buffer, T[] values, int count)
    {
        buffer.WriteByte(RawBytes);
        var referring = buffer is RemoteValueBuffer { ReferencesLargeValues: true } referable ? referable : null;
        if (values is byte[]?[] arrays)
        {
            for (var i = 0; i < count; i++)
            {
                if (arrays[i] is { } bytes)
                {
                    buffer.WriteInt32(bytes.Length);
                    if (referring is not null)
                    {
                        referring.WriteOrReference(bytes);
                    }
                    else
                    {
                        buffer.WriteBytes(bytes);
                    }
                }
                else
                {
                    buffer.WriteInt32(-1);
                }
            }

            return;
        }

        var memories = (ReadOnlyMemory<byte>[])(object)values;
        for (var i = 0; i < count; i++)
        {
            buffer.WriteInt32(memories[i].Length);
            if (referring is not null)
            {
                referring.WriteOrReference(memories[i]);
            }
            else
            {
                buffer.WriteBytes(memories[i].Span);
            }
        }
    }

    // T is string (IsText). A large string goes by reference where the buffer allows, encoded as it is written to the pipe
    // (review 66: 20 strings of 10 MB cost the host ~660 MB allocated and 2.4 s of CPU, the serializer's buffer sized at
    // three bytes a character and grown by doubling, per batch). Lone surrogates become U+FFFD, as JSON wrote them.
    private static List<(int Offset, Exception Error)>? WriteText(IRemoteValueBuffer buffer, string?[] texts, int count)
    {
        buffer.WriteByte(RawText);
        var referring = buffer as RemoteValueBuffer;
        List<(int, Exception)>? failures = null;
        for (var i = 0; i < count; i++)
        {
            if (texts[i] is not { } text)
            {
                buffer.WriteInt32(-1);
                continue;
            }

            if (text.Length > MaxTextLength)
            {
                // Its UTF-8 length might not fit an int32 (and it is far over any frame): not sent, its item fails.
                buffer.WriteInt32(NotSent);
                (failures ??= []).Add((i, new NotSupportedException($"A string of {text.Length:N0} characters is longer than the {MaxTextLength:N0} a value may hold.")));
                continue;
            }

            var bytes = Encoding.UTF8.GetByteCount(text);
            buffer.WriteInt32(bytes);
            if (referring is not null)
            {
                referring.WriteTextOrReference(text, bytes);
            }
            else
            {
                Encoding.UTF8.GetBytes(text, buffer.GetSpan(bytes));
                buffer.Advance(bytes);
            }
        }

        return failures;
    }

    private static void ReadBytes(ref RemoteValueReader reader, int count, T[] values)
    {
        if (values is byte[]?[] arrays)
        {
            for (var i = 0; i < count; i++)
            {
                var length = reader.ReadInt32();
                arrays[i] = length == -1 ? null : reader.ReadBytes(length).ToArray();
            }

            return;
        }

        var memories = (ReadOnlyMemory<byte>[])(object)values;
        for (var i = 0; i < count; i++)
        {
            memories[i] = reader.ReadBytes(reader.ReadInt32()).ToArray();
        }
    }

    // Metadata for T[] when the options can provide it (a source-generated context may not).
    private static JsonTypeInfo<T[]>? ArrayTypeInfo(JsonSerializerOptions options)
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

    private bool TryReadArray(ReadOnlySpan<byte> json, int count, T[] values)
    {
        try
        {
            var all = JsonSerializer.Deserialize(json, Json.Array!);
            if (all is null || all.Length != count)
            {
                throw new RemoteFormatException($"A value array holds {all?.Length ?? 0} values where {count} were announced.");
            }

            Array.Copy(all, values, count);
            return true;
        }
        catch (Exception e) when (e is not (RemoteFormatException or OutOfMemoryException))
        {
            // Some element does not deserialize (bad JSON, or a constructor, setter or converter of the user's that
            // throws whatever it likes): find which, one by one, so that only its item fails.
            return false;
        }
    }

    private bool TryWriteArray(IRemoteValueBuffer buffer, Utf8JsonWriter writer, T[] values, int count)
    {
        try
        {
            buffer.WriteByte(AsArray);
            var at = buffer.BeginValue();
            writer.Reset(buffer);
            if (Json.Array is { } array)
            {
                JsonSerializer.Serialize(writer, count == values.Length ? values : values[..count], array);
            }
            else
            {
                writer.WriteStartArray();
                for (var i = 0; i < count; i++)
                {
                    SerializeOne(writer, values[i]);
                }

                writer.WriteEndArray();
            }

            writer.Flush();
            buffer.EndValue(at);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private void SerializeOne(Utf8JsonWriter writer, T value)
    {
        var json = Json;
        if (json.Checked && value is not null && json.Lost(value) is { } lost)
        {
            throw new NotSupportedException(lost);
        }

        if (json.Element is not null)
        {
            JsonSerializer.Serialize(writer, value, json.Element);
        }
        else
        {
            // Variance: a value of a type derived from the work's travels as the work's type.
            JsonSerializer.Serialize(writer, value, json.Wire);
        }
    }

    private static bool AnyLoses(Metadata json, T[] values, int count)
    {
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (values[i] is { } value && json.Lost(value) is not null)
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The walk inside a value runs the user's code (getters, a collection's enumerator): what throws there fails its
            // own item, written each alone (SerializeOne checks inside the per-value try), as the serializer's call would.
            return true;
        }

        return false;
    }

    private void ReadElements(ReadOnlySpan<byte> json, int count, T[] values, Exception?[] errors)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                throw new RemoteFormatException("A value array does not start with '['.");
            }

            for (var i = 0; i < count; i++)
            {
                if (!reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                {
                    throw new RemoteFormatException($"A value array ends after {i} of {count} values.");
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                Deserialize(json[start..(int)reader.BytesConsumed], i, values, errors);
            }
        }
        catch (JsonException e)
        {
            throw new RemoteFormatException($"A value array is not valid JSON: {e.Message}", e);
        }
    }

    private void Deserialize(ReadOnlySpan<byte> json, int i, T[] values, Exception?[] errors)
    {
        try
        {
            // Variance: the work's type read as itself, held as T (a base type of it): a reference conversion.
            var metadata = Json;
            values[i] = metadata.Element is not null ? JsonSerializer.Deserialize(json, metadata.Element)! : (T)JsonSerializer.Deserialize(json, metadata.Wire)!;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // User code runs here (constructors, setters, converters): whatever it throws fails this value only.
            values[i] = default!;
            errors[i] = e;
        }
    }

    private sealed class Metadata
    {
        // What each derived type met so far would lose (null: nothing); one codec per loop, so no lock.
        private Dictionary<Type, string?>? _lost;

        public Metadata(JsonTypeInfo wire, bool refuseLostMembers)
        {
            // Results that can hold a derived value the walk (Nested) cannot see are written with metadata that refuses it
            // as it writes (review 60: behind an object member, in a lazy sequence); the contract written is the same.
            if (refuseLostMembers && DerivedValueCheck.NeedsGuard(wire))
            {
                wire = DerivedValueCheck.Guarded(wire.Options).GetTypeInfo(wire.Type);
            }

            Wire = wire;
            Element = wire as JsonTypeInfo<T>;
            Array = Element is null ? null : ArrayTypeInfo(wire.Options);
            WriterOptions = new JsonWriterOptions { SkipValidation = true, Encoder = wire.Options.Encoder };
            Derivable = refuseLostMembers && wire.Kind == JsonTypeInfoKind.Object && !wire.Type.IsValueType && !wire.Type.IsSealed && wire.PolymorphismOptions is null;
            Nested = refuseLostMembers ? DerivedValueCheck.For(wire, includeRoot: false) : null;
        }

        /// <summary>Gets the check of the values inside a result (a list's elements, a property, a dictionary's values, at any
        /// depth) for values of derived types that would lose members (review 59); null when none can.</summary>
        public DerivedValueCheck? Nested { get; }

        /// <summary>Gets whether values are checked at all (<see cref="Lost"/>).</summary>
        public bool Checked => Derivable || Nested is not null;

        /// <summary>Says what <paramref name="value"/>, or a value inside it, would lose travelling as its declared type;
        /// <see langword="null"/> when nothing.</summary>
        public string? Lost(object value) =>
            (Derivable ? Loses(value.GetType()) : null) ?? Nested?.Find(value);

        /// <summary>Gets whether values of a type derived from the work's are checked for members they would lose: results
        /// (<c>refuseLostMembers</c>) of a class that is not sealed, without <c>[JsonDerivedType]</c>.</summary>
        public bool Derivable { get; }

        /// <summary>
        /// Says what a value of <paramref name="runtime"/> would lose as the work's type: System.Text.Json writes a
        /// declared type's members only, so a <c>Circle</c> returned as the work's <c>Shape</c> arrived as a plain
        /// <c>Shape</c>, its radius gone, reported as a success (lib58). <see langword="null"/> when nothing is lost (the
        /// work's own type, a derived type that adds no serialized member, or one the options have no metadata for).
        /// </summary>
        public string? Loses(Type runtime)
        {
            if (runtime == Wire.Type)
            {
                return null;
            }

            _lost ??= [];
            if (_lost.TryGetValue(runtime, out var known))
            {
                return known;
            }

            string? lost = null;
            try
            {
                if (Wire.Options.TryGetTypeInfo(runtime, out var info) && info.Kind == JsonTypeInfoKind.Object)
                {
                    var declared = Wire.Properties.Select(static p => p.Name).ToHashSet(StringComparer.Ordinal);
                    var missing = info.Properties.Select(static p => p.Name).Where(n => !declared.Contains(n)).ToList();
                    if (missing.Count > 0)
                    {
                        var declaredName = Wire.Type.Name;
                        lost = $"The value is a {runtime.Name}, but it travels as {declaredName}, the work's declared type: System.Text.Json writes only " +
                            $"{declaredName}'s members, so {string.Join(", ", missing.Take(4))}{(missing.Count > 4 ? ", ..." : "")} would be lost and it would arrive as a plain {declaredName}. " +
                            $"Declare the work with {runtime.Name}, or mark {declaredName} [JsonDerivedType(typeof({runtime.Name}), \"{runtime.Name}\")].";
                    }
                }
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                // No metadata for the derived type: nothing to compare, the value goes as before.
            }

            _lost[runtime] = lost;
            return lost;
        }

        public JsonTypeInfo Wire { get; }

        public JsonTypeInfo<T>? Element { get; }

        public JsonTypeInfo<T[]>? Array { get; }

        public JsonWriterOptions WriterOptions { get; }
    }
}
