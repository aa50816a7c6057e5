using System.Text;

namespace Brigade.Cli;

/// <summary>
/// A redirected standard error that drops what it cannot write: a closed stderr (<c>2&gt;&amp;-</c>) or a full device
/// (<c>2&gt;/dev/full</c>) made every progress line and summary throw, and the exception, reported on that same stderr,
/// aborted the process (SIGABRT, exit 134) after its results were written. Diagnostics that have nowhere to go are lost;
/// the run and its exit code are not.
/// </summary>
internal sealed class BestEffortWriter(TextWriter inner) : ForwardingWriter(inner)
{
    private volatile bool _broken;

    /// <summary>Writes bytes as they are when the writer underneath takes bytes (<see cref="ByteStdout"/>), else as UTF-8 text.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            if (Inner is ByteStdout raw)
            {
                raw.WriteBytes(bytes);
            }
            else
            {
                Inner.Write(Encoding.UTF8.GetString(bytes));
            }
        }
        catch (Exception e) when (IsLost(e))
        {
            _broken = true;
        }
    }

    protected override void Forward(Action<TextWriter> write)
    {
        if (_broken)
        {
            return;
        }

        try
        {
            write(Inner);
        }
        catch (Exception e) when (IsLost(e))
        {
            _broken = true;
        }
    }

    private static bool IsLost(Exception e) => e is IOException or UnauthorizedAccessException or ObjectDisposedException;
}
