namespace Brigade.Cli;

/// <summary>
/// The standard output of the commands other than <c>brigade run</c> when it is a pipe: writes go to
/// <see cref="PipeOutput"/>'s writer, and the first one that meets a reader that went away (<c>brigade demo | head -1</c>)
/// is noted and stops the command (<see cref="Token"/>), which then exits 141 as <c>brigade run</c> does
/// (<see cref="BrokenPipe"/>, CliApp), whatever code caught the write's exception on the way.
/// </summary>
/// <remarks>
/// Before review 41 these commands wrote to .NET's console, which drops writes to a broken pipe without a word:
/// <c>brigade demo --quick | head -1</c> ran every scene and exited 0, <c>brigade doctor PID | head -1</c> exited 0.
/// </remarks>
internal sealed class BrokenPipeWatch(TextWriter inner) : ForwardingWriter(inner)
{
    private readonly CancellationTokenSource _broken = new();

    /// <summary>Gets a token cancelled when a write met a pipe whose reader went away.</summary>
    public CancellationToken Token => _broken.Token;

    /// <summary>Gets a value indicating whether a write met a pipe whose reader went away.</summary>
    public bool Broken => _broken.IsCancellationRequested;

    /// <summary>
    /// Tells whether standard output's reader went away, without writing: for a command that writes nothing for a while
    /// (<c>brigade demo --json</c> writes its document at the end, and ran every scene into a pipe whose reader had
    /// left; review 45). When it did, the command is stopped as by a write that met it (<see cref="Token"/>).
    /// </summary>
    public bool ReaderGone()
    {
        if (!Broken && Run.NativeMethods.ReaderGone(1))
        {
            try
            {
                _ = _broken.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The command is over.
            }
        }

        return Broken;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _broken.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override void Forward(Action<TextWriter> write)
    {
        try
        {
            write(Inner);
        }
        catch (IOException e) when (BrokenPipe.Caused(e))
        {
            try
            {
                // Callbacks (the command's stop) on the pool, not under whatever lock the writing code holds.
                _ = _broken.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
                // The command is over.
            }

            throw;
        }
    }
}
