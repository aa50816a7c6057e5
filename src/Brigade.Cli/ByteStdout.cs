using System.Text;

namespace Brigade.Cli;

/// <summary>
/// Standard output for <c>brigade run</c>: text as UTF-8, and results as the bytes the commands wrote.
/// </summary>
/// <remarks>
/// Results are bytes (a command may print Latin-1 names, binary data); going through a <see cref="TextWriter"/> decoded
/// them as UTF-8 and wrote U+FFFD for every invalid byte, so <c>brigade run ... -o -</c> (the default) changed what
/// <c>-o FILE</c> kept intact. <see cref="WriteBytes"/> writes them to the stream unchanged, after any pending text.
/// </remarks>
internal sealed class ByteStdout : TextWriter
{
    private readonly Stream _stream;
    private readonly StreamWriter _text;
    private readonly Lock _lock = new();

    /// <summary>Initializes a new instance of the <see cref="ByteStdout"/> class over <paramref name="stream"/> (not owned).</summary>
    public ByteStdout(Stream stream)
    {
        _stream = stream;
        _text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 4096, leaveOpen: true) { AutoFlush = true };
    }

    public override Encoding Encoding => _text.Encoding;

    /// <summary>Writes <paramref name="bytes"/> as they are, after the text written so far.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            _text.Flush();
            _stream.Write(bytes);
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Write(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_lock)
        {
            _text.Write(buffer, index, count);
        }
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            _text.Write(buffer);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Write(value);
        }
    }

    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _text.WriteLine(value);
        }
    }

    public override void Flush()
    {
        lock (_lock)
        {
            _text.Flush();
            _stream.Flush();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _text.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
