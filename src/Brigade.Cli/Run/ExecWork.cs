using Brigade.Auto;

namespace Brigade.Cli.Run;

/// <summary>Runs a shell command per item, rendered from a <see cref="CommandTemplate"/>, with retries and a timeout.</summary>
internal sealed class ExecWork(CommandTemplate template, TimeSpan? timeout, int retries) : JobWork
{
    // Guards _freeSlots and _nextSlot: {%} numbers the commands running at once from 1, reusing the lowest free number.
    private readonly Lock _slotsGate = new();
    private readonly SortedSet<int> _freeSlots = [];
    private int _nextSlot = 1;

    public override string Description => "exec:" + template.Text;

    public override object Prepare(InputItem item) => template.Render(item);

    public override void CheckFirstItem(InputItem item) => template.Bind(item);

    public override JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<InputItem, byte[]?, string?> onCompleted)
    {
        var stream = Runner.StreamAsync(prepared, async (entry, cancellationToken) =>
        {
            var slot = template.UsesSlot ? TakeSlot() : 0;
            try
            {
                var command = slot > 0 ? CommandTemplate.FillSlot((string)entry.Value, slot) : (string)entry.Value;
                for (var attempt = 0; ; attempt++)
                {
                    try
                    {
                        var (output, cpu) = await ExecRunner.RunAsync(command, timeout, cancellationToken).ConfigureAwait(false);

                        // The command's CPU time is what tells auto mode a CPU-bound command from one that waits.
                        if (cpu is { } used)
                        {
                            ExternalCpuTime.Add(used);
                        }

                        onCompleted(entry.Item, output, null);
                        return output;
                    }
                    catch (ExecFailedException) when (attempt < retries)
                    {
                        // Retried: the last attempt's error is the one reported.
                    }
                    catch (ExecFailedException e)
                    {
                        var message = attempt > 0 ? $"{e.Message} (after {attempt + 1} attempts)" : e.Message;
                        onCompleted(entry.Item, null, message);
                        throw new ExecFailedException(message, e.ExitCode, e.StderrTail);
                    }
                }
            }
            finally
            {
                if (slot > 0)
                {
                    ReturnSlot(slot);
                }
            }
        }, options);
        return new JobStream(stream, () => stream.Report);
    }

    private int TakeSlot()
    {
        lock (_slotsGate)
        {
            if (_freeSlots.Count > 0)
            {
                var slot = _freeSlots.Min;
                _freeSlots.Remove(slot);
                return slot;
            }

            return _nextSlot++;
        }
    }

    private void ReturnSlot(int slot)
    {
        lock (_slotsGate)
        {
            _freeSlots.Add(slot);
        }
    }
}
