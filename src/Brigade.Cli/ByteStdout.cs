using System.Text;

namespace Brigade.Cli;

/// <summary>
/// Standard output (and error) for <c>brigade run</c>: text as UTF-8, and results (and the commands' stderr) as the bytes
/// the commands wrote; every write, a line with its newline included, is whole between another thread's.
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
    private readonly Lock _lock;

    // Whether the file's last byte (a result's, a command's stderr's, this writer's or, for one file, the other's) ended
    // mid-line: brigade's own lines (WriteLine) then start with a line end. Shared, as the lock is, with sameFile.
    private readonly LineState _line;

    /// <summary>Initializes a new instance of the <see cref="ByteStdout"/> class over <paramref name="stream"/> (not owned).</summary>
    public ByteStdout(Stream stream)
        : this(stream, sameFile: null)
    {
    }

    /// <summary>
    /// Initializes a new instance of the <see cref="ByteStdout"/> class over <paramref name="stream"/> (not owned), writing
    /// under <paramref name="sameFile"/>'s lock when that one writes to the same file (<c>2&gt;&amp;1</c>): a write of
    /// either is then whole between the other's too.
    /// </summary>
    /// <remarks>
    /// Review 23 S1: with stdout and stderr on one pipe, a result and a command's stderr chunk (up to 64 KiB) were two
    /// concurrent <c>write()</c>s under two locks; a pipe takes only writes of up to 4096 bytes whole, so the kernel put
    /// one's pages between the other's and lines came out mixed (<c>brigade run ... 2&gt;&amp;1 | less</c>).
    /// </remarks>
    public ByteStdout(Stream stream, ByteStdout? sameFile)
    {
        _lock = sameFile?._lock ?? new Lock();
        _line = sameFile?._line ?? new LineState();
        _stream = stream;
        _text = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 4096, leaveOpen: true) { AutoFlush = true };
    }

    public override Encoding Encoding => _text.Encoding;

    /// <summary>Gets or sets the line end the <c>WriteLine</c> methods write (the writer's underneath).</summary>
    public override string NewLine
    {
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null (the default newline)
        get => _text.NewLine;
        set
        {
            lock (_lock)
            {
                _text.NewLine = value;
                base.NewLine = value;
            }
        }
#pragma warning restore CS8765
    }

    /// <summary>Writes <paramref name="bytes"/> as they are, after the text written so far.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            _text.Flush();
            _stream.Write(bytes);
            if (!bytes.IsEmpty)
            {
                _line.MidLine = bytes[^1] != (byte)'\n';
            }
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Write(value);
            _line.MidLine = value != '\n';
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            _text.Write(buffer);
            if (!buffer.IsEmpty)
            {
                _line.MidLine = buffer[^1] != '\n';
            }
        }
    }

    public override void Write(string? value) => Write(value.AsSpan());

    /// <summary>
    /// Writes <paramref name="value"/> as a line of its own: after a line end first when the file's last byte ended mid-line
    /// (a result or a command's stderr without a final newline: <c>printf x</c>). Brigade's own lines (failures, progress,
    /// the summary) otherwise ran into it on a terminal or a shared file (<c>x</c> then <c>brigade run: 1 item, ...</c> on
    /// one line, run59). The line end goes to this writer's file only: a result's bytes are never added to.
    /// </summary>
    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            // One string, so that it is one write when it fits, as before.
            _text.WriteLine(_line.MidLine ? string.Concat("\n", value) : value);
            _line.MidLine = false;
        }
    }

    // Every other WriteLine is a line too (review R7): TextWriter's own writes the value, then the newline, in two calls,
    // each taking the lock, and another thread's bytes could land between them. Each is one string written with its
    // newline, under the lock once (and, through the StreamWriter's flush, in one write to the stream when it fits).
    public override void WriteLine() => WriteLine(string.Empty);

    public override void WriteLine(bool value) => WriteLine(value ? "True" : "False");

    public override void WriteLine(char value) => WriteLine(value.ToString());

    public override void WriteLine(char[]? buffer) => WriteLine(buffer is null ? null : new string(buffer));

    public override void WriteLine(char[] buffer, int index, int count) => WriteLine(new string(buffer, index, count));

    public override void WriteLine(ReadOnlySpan<char> buffer) => WriteLine(new string(buffer));

    public override void WriteLine(System.Text.StringBuilder? value) => WriteLine(value?.ToString());

    public override void WriteLine(int value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(uint value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(long value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(ulong value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(float value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(double value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(decimal value) => WriteLine(value.ToString(FormatProvider));

    public override void WriteLine(object? value) => WriteLine(value is IFormattable f ? f.ToString(null, FormatProvider) : value?.ToString());

    // A StringBuilder is otherwise written chunk by chunk, a lock each.
    public override void Write(System.Text.StringBuilder? value) => Write(value?.ToString());

    public override Task WriteLineAsync(char value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(char[] buffer, int index, int count)
    {
        WriteLine(buffer, index, count);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        WriteLine(buffer.Span);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(System.Text.StringBuilder? value, CancellationToken cancellationToken = default)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
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

    private sealed class LineState
    {
        public bool MidLine { get; set; }
    }
}
