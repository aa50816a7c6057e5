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

    // Guards _buffer and _file: results arrive from every worker.
    private readonly Lock _gate = new();
    private readonly FileStream _file;
    private readonly MemoryStream _buffer = new();

    private Journal(FileStream file) => _file = file;

    public string Path => _file.Name;

    public static Journal Create(string path, JournalRecord header)
    {
        // Written aside and renamed into place, so a journal on disk always has its header.
        var temporary = path + ".tmp";
        using (var first = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            first.Write(JsonSerializer.SerializeToUtf8Bytes(header, RunJsonContext.Default.JournalRecord));
            first.WriteByte((byte)'\n');
        }

        File.Move(temporary, path, overwrite: false);
        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        file.Seek(0, SeekOrigin.End);
        return new Journal(file);
    }

    public static (Journal Journal, ResumeState State) Resume(string path, JournalRecord header)
    {
        var state = new ResumeState();
        long validLength = 0;
        var sawHeader = false;
        using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            var bytes = new byte[read.Length];
            read.ReadExactly(bytes);
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

                    if (record.Input != header.Input || record.Work != header.Work || record.Ordered != header.Ordered)
                    {
                        throw new CliUsageException(
                            $"--resume: the journal '{path}' belongs to a different run (input {record.Input}, work {record.Work}); use the same arguments or delete it");
                    }

                    sawHeader = true;
                }
                else
                {
                    state.Apply(record);
                }

                start = end + 1;
                validLength = start;
            }
        }

        if (!sawHeader)
        {
            throw new CliUsageException($"--resume: '{path}' holds no journal header; delete it to start afresh");
        }

        var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        file.SetLength(validLength);
        file.Seek(validLength, SeekOrigin.Begin);
        return (new Journal(file), state);
    }

    public void Append(JournalRecord record)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(record, RunJsonContext.Default.JournalRecord);
        lock (_gate)
        {
            _buffer.Write(bytes);
            _buffer.WriteByte((byte)'\n');
            if (_buffer.Length >= FlushThreshold)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Hands everything appended so far to the operating system.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            FlushLocked();
        }
    }

    public void Dispose()
    {
        Flush();
        _file.Dispose();
    }

    private void FlushLocked()
    {
        if (_buffer.Length > 0)
        {
            _file.Write(_buffer.GetBuffer().AsSpan(0, (int)_buffer.Length));
            _buffer.SetLength(0);
        }

        _file.Flush();
    }
}
