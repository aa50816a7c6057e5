using System.Text.Json;

namespace Brigade.Cli.Run;

/// <summary>
/// The append-only record that makes <c>brigade run</c> resumable after any interruption, SIGKILL included.
/// </summary>
/// <remarks>
/// <para>Results are journaled as items finish (buffered: a record lost to a kill only means the item runs again).
/// A watermark is written only after the output files it describes have been flushed, so on resume the output files
/// are truncated to the last watermark's lengths and everything after it is either reused from the journal or run
/// again. A torn last line (the process died mid-write) is ignored.</para>
/// <para>Writes go to the operating system on every flush; the journal survives the process being killed, not
/// the machine losing power (no fsync).</para>
/// </remarks>
internal sealed class Journal : IDisposable
{
    private const int FlushThreshold = 64 * 1024;

    // Guards _buffer, _writer, _file, _failure and _closed: results arrive from every worker.
    private readonly Lock _gate = new();
    private readonly FileStream _file;
    private readonly MemoryStream _buffer = new();
    private readonly JournalRecordWriter _writer = new();
    private CliIOException? _failure;
    private bool _closed;

    private Journal(FileStream file) => _file = file;

    public string Path => _file.Name;

    /// <summary>Creates a journal holding only its header; the path is the user's (or the state directory's), never a temporary file's, in errors.</summary>
    /// <exception cref="CliIOException">The journal cannot be written.</exception>
    public static Journal Create(string path, JournalRecord header)
    {
        // Written aside and renamed into place, so a journal on disk always has its header.
        var temporary = path + ".tmp";
        try
        {
            using (var first = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                using var writer = new JournalRecordWriter();
                writer.WriteLine(first, header);
            }

            File.Move(temporary, path, overwrite: false);
            var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            file.Seek(0, SeekOrigin.End);
            return new Journal(file);
        }
        catch (Exception e) when (RunFiles.IsWriteError(e))
        {
            TryDelete(temporary);
            throw new CliIOException($"cannot write the journal '{path}': {RunFiles.Reason(e)}", e);
        }
    }

    /// <summary>Reads a journal without changing it; refuses one that belongs to a different run.</summary>
    /// <returns>What the journal says is done, and the length of its valid part (a torn last line is left out).</returns>
    /// <exception cref="CliUsageException">It is not a journal, or it belongs to a run with other input, work or options.</exception>
    public static (ResumeState State, long ValidLength) Read(string path, JournalRecord header)
    {
        var state = new ResumeState();
        long validLength = 0;
        var sawHeader = false;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (RunFiles.IsWriteError(e))
        {
            throw new CliIOException($"cannot read the journal '{path}': {RunFiles.Reason(e)}", e);
        }

        var start = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                break; // a torn last line: the process died while writing it
            }

            JournalRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(bytes.AsSpan(start, end - start), RunJsonContext.Default.JournalRecord);
            }
            catch (JsonException)
            {
                break;
            }

            if (record is null)
            {
                break;
            }

            if (!sawHeader)
            {
                if (record.Kind != "h")
                {
                    throw new CliUsageException($"--resume: '{path}' is not a brigade run journal");
                }

                CheckSameRun(path, record, header);
                sawHeader = true;
            }
            else
            {
                state.Apply(record);
            }

            start = end + 1;
            validLength = start;
        }

        if (!sawHeader)
        {
            throw new CliUsageException($"--resume: '{path}' holds no journal header; delete it to start afresh");
        }

        return (state, validLength);
    }

    /// <summary>Opens a journal read by <see cref="Read"/> for appending, cutting off a torn last line.</summary>
    public static Journal OpenForAppend(string path, long validLength)
    {
        try
        {
            var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
            file.SetLength(validLength);
            file.Seek(validLength, SeekOrigin.Begin);
            return new Journal(file);
        }
        catch (Exception e) when (RunFiles.IsWriteError(e))
        {
            throw new CliIOException($"cannot write the journal '{path}': {RunFiles.Reason(e)}", e);
        }
    }

    // A resume must run the same job: the same input, the same command or work type, and the options that decide
    // what the items are (format, separator) and where results go (order). A journal from before these were recorded
    // is only checked for what it has.
    private static void CheckSameRun(string path, JournalRecord journaled, JournalRecord now)
    {
        if (Difference(journaled, now) is { } differs)
        {
            throw new CliUsageException($"--resume: the journal '{path}' belongs to a different run ({differs}); resume with the same arguments, or delete the journal to start over");
        }
    }

    /// <summary>What makes the run whose journal header is <paramref name="journaled"/> another run than <paramref name="now"/>'s
    /// (its input, work, order, format or separator, in words), or null when it is the same run.</summary>
    public static string? Difference(JournalRecord journaled, JournalRecord now)
    {
        string? differs = null;
        if (journaled.Input != now.Input)
        {
            differs = $"its input was {journaled.Input}, this run reads {now.Input}";
        }
        else if (journaled.Work != now.Work)
        {
            differs = $"its work was '{journaled.Work}', this run's is '{now.Work}'";
        }
        else if (journaled.Ordered != now.Ordered)
        {
            differs = journaled.Ordered == true ? "it wrote results in input order, this run has --unordered" : "it had --unordered, this run writes in input order";
        }
        else if (journaled.Format is { } format && format != now.Format)
        {
            differs = $"it read the input as --format {format}, this run as --format {now.Format}";
        }
        else if (journaled.NullSeparated is { } nul && nul != now.NullSeparated)
        {
            differs = nul ? "it read NUL-separated items (--null), this run reads lines" : "it read lines, this run reads NUL-separated items (--null)";
        }

        return differs;
    }

    /// <summary>Reads a journal's first line, its header; null when it has none or cannot be read.</summary>
    public static JournalRecord? ReadHeader(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadLine() is { } line && JsonSerializer.Deserialize(line, RunJsonContext.Default.JournalRecord) is { Kind: "h" } header ? header : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to clean up, or nowhere to clean it up.
        }
    }

    /// <summary>
    /// Adds a record (buffered). Never throws: it is called as items finish, on the engine's workers, where a full disk
    /// must not turn a finished item into a failed one. Once a write has failed nothing more is written (a record after a
    /// torn one would be unreadable anyway) and <see cref="Flush"/> reports the failure.
    /// </summary>
    public void Append(JournalRecord record)
    {
        lock (_gate)
        {
            if (_failure is not null || _closed)
            {
                return;
            }

            // Straight into the buffer: a few microseconds under the lock, and nothing allocated per record.
            _writer.WriteLine(_buffer, record);
            if (_buffer.Length >= FlushThreshold)
            {
                TryFlushLocked();
            }
        }
    }

    /// <summary>Hands everything appended so far to the operating system.</summary>
    /// <exception cref="CliIOException">The journal cannot be written (a full disk): one line naming its path.</exception>
    public void Flush()
    {
        lock (_gate)
        {
            TryFlushLocked();
            if (_failure is { } failure)
            {
                throw new CliIOException(failure.Message, failure.InnerException);
            }
        }
    }

    /// <summary>Flushes what it can and closes; a journal that could not be written ends at its last complete line.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            TryFlushLocked();
            _closed = true;
            _writer.Dispose();
            try
            {
                _file.Dispose();
            }
            catch (Exception e) when (RunFiles.IsWriteError(e))
            {
                // Bytes the file stream still held are lost with the disk; the last complete line is what counts.
            }
        }
    }

    private void TryFlushLocked()
    {
        if (_failure is not null)
        {
            return;
        }

        try
        {
            if (_buffer.Length > 0)
            {
                _file.Write(_buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
                _buffer.SetLength(0);
            }

            _file.Flush();
        }
        catch (Exception e) when (RunFiles.IsWriteError(e))
        {
            _failure = new CliIOException($"cannot write the journal '{Path}': {RunFiles.Reason(e)}", e);
            _buffer.SetLength(0);
        }
    }
}
