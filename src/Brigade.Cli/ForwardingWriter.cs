using System.Text;

namespace Brigade.Cli;

/// <summary>
/// A <see cref="TextWriter"/> that forwards every write to another through one guard (<see cref="Forward"/>), so a
/// wrapper decides once what a failed write means (<see cref="BestEffortWriter"/> drops it, <see cref="BrokenPipeWatch"/>
/// notes a reader that went away). The asynchronous writes complete synchronously: the writers underneath are the
/// process's standard streams.
/// </summary>
internal abstract class ForwardingWriter(TextWriter inner) : TextWriter
{
    /// <summary>Gets the writer written to.</summary>
    protected TextWriter Inner => inner;

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override string NewLine
    {
#pragma warning disable CS8765 // TextWriter.NewLine's setter takes null (the default newline)
        get => inner.NewLine;
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    public override void Write(char value) => Forward(w => w.Write(value));

    public override void Write(char[] buffer, int index, int count) => Forward(w => w.Write(buffer, index, count));

    public override void Write(ReadOnlySpan<char> buffer) => Write(new string(buffer));

    public override void Write(string? value) => Forward(w => w.Write(value));

    public override void Write(StringBuilder? value) => Write(value?.ToString());

    public override void WriteLine() => Forward(w => w.WriteLine());

    public override void WriteLine(string? value) => Forward(w => w.WriteLine(value));

    public override void WriteLine(ReadOnlySpan<char> buffer) => WriteLine(new string(buffer));

    public override void WriteLine(char[] buffer, int index, int count) => WriteLine(new string(buffer, index, count));

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

    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
    {
        WriteLine(buffer.Span);
        return Task.CompletedTask;
    }

    public override void Flush() => Forward(w => w.Flush());

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

    /// <summary>Runs one write against <see cref="Inner"/>, deciding what its failure means.</summary>
    protected abstract void Forward(Action<TextWriter> write);
}
