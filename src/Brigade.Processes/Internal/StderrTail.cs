namespace Brigade.Processes.Internal;

/// <summary>The last lines a worker wrote to standard error, for crash reports; optionally forwarded as they come.</summary>
/// <remarks>Runs on the thread that reads the worker's pipe: it never blocks on this process's standard error
/// (<see cref="StderrForwarder"/>), so the worker never waits for it, and a crash report has the worker's last lines.</remarks>
internal sealed class StderrTail(int pid, StderrForwarder? forward)
{
    public const int MaxLines = 20;
    private const int MaxLineLength = 500;

    // Guards _lines.
    private readonly Lock _gate = new();
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Pid { get; set; } = pid;

    public void OnLine(string? line)
    {
        if (line is null)
        {
            _ended.TrySetResult();
            return;
        }

        forward?.Post(Pid, line);
        var kept = line.Length > MaxLineLength ? line[..MaxLineLength] + "…" : line;
        lock (_gate)
        {
            _lines.Enqueue(kept);
            if (_lines.Count > MaxLines)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>Waits (bounded) for the stream's end, so the lines a dying worker wrote last are in.</summary>
    public void WaitForEnd(TimeSpan timeout) => _ended.Task.Wait(timeout);

    public IReadOnlyList<string> Snapshot()
    {
        lock (_gate)
        {
            return [.. _lines];
        }
    }
}
