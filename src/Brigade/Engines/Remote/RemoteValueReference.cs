namespace Brigade.Engines.Remote;

/// <summary>A large value's bytes that a <see cref="RemoteValueBuffer"/> refers to rather than copies: they belong after the
/// buffer's first <paramref name="At"/> bytes.</summary>
/// <param name="At">How many of the buffer's own bytes come before them.</param>
/// <param name="Bytes">The value's bytes, where the work left them (a <c>byte[]</c> result's own array).</param>
internal readonly record struct RemoteValueReference(int At, ReadOnlyMemory<byte> Bytes);
