using System.Text;

namespace Brigade.Cli;

/// <summary>
/// A redirected standard error that drops what it cannot write: a closed stderr (<c>2&gt;&amp;-</c>) or a full device
/// (<c>2&gt;/dev/full</c>) made every progress line and summary throw, and the exception, reported on that same stderr,
/// aborted the process (SIGABRT, exit 134) after its results were written. Diagnostics that have nowhere to go are lost;
/// the run and its exit code are not.
/// </summary>
internal sealed class BestEffortWriter(TextWriter inner) : TextWriter
{
    private volatile bool _broken;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override string NewLine
    {
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null (the default newline)
        get => inner.NewLine;
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    public override void Write(char value) => Try(w => w.Write(value));

    public override void Write(char[] buffer, int index, int count) => Try(w => w.Write(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            inner.Write(buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _broken = true;
        }
    }

    public override void Write(string? value) => Try(w => w.Write(value));

    public override void WriteLine() => Try(w => w.WriteLine());

    public override void WriteLine(string? value) => Try(w => w.WriteLine(value));

    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        WriteLine(buffer.ToString());
        return Task.CompletedTask;
    }

    public override void Flush() => Try(w => w.Flush());

    /// <summary>Writes bytes as they are when the writer underneath takes bytes (<see cref="ByteStdout"/>), else as UTF-8 text.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            if (inner is ByteStdout raw)
            {
                raw.WriteBytes(bytes);
            }
            else
            {
                inner.Write(Encoding.UTF8.GetString(bytes));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _broken = true;
        }
    }

    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    private void Try(Action<TextWriter> write)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            write(inner);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            _broken = true;
        }
    }
}
