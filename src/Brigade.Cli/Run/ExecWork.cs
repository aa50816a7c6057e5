using Brigade.Auto;

namespace Brigade.Cli.Run;

/// <summary>Runs a shell command per item, rendered from a <see cref="CommandTemplate"/>, with a timeout per attempt; the engine retries it (<see cref="JobRetry"/>).</summary>
/// <param name="template">The command.</param>
/// <param name="timeout">The timeout of each attempt, or null.</param>
/// <param name="retry">How failed items are tried again.</param>
/// <param name="stderr">Where the commands' stderr is passed through (<c>--stderr pass</c>), or null to drop it.</param>
/// <param name="notices">Where brigade's own lines about a command go (one left a process holding its output: <see cref="LingerNotice"/>), or null (<c>--quiet</c>).</param>
internal sealed class ExecWork(CommandTemplate template, TimeSpan? timeout, JobRetry retry, CommandStderr? stderr = null, Action<string>? notices = null) : JobWork
{
    /// <summary>Gets or sets how long after a command's first process exited, its output still open, brigade says so.</summary>
    internal TimeSpan LingerAfter { get; init; } = LingerNotice.DefaultAfter;

    // How long the end of a run waits for the commands' stderr when its writes make no progress (a stderr nobody reads).
    private static readonly TimeSpan StuckStderr = TimeSpan.FromSeconds(1);

    // Guards _freeSlots and _nextSlot: {%} numbers the commands running at once from 1, reusing the lowest free number.
    // The set is made by the first slot returned: a run without {%} never loads SortedSet's code (~2 ms of start-up).
    private readonly Lock _slotsGate = new();
    private SortedSet<int>? _freeSlots;
    private int _nextSlot = 1;

    // The commands started and not yet over (each attempt's), for the line a Ctrl+C gets.
    private long _running;

    public override long? RunningNow => Interlocked.Read(ref _running);

    public override string Description => "exec:" + template.Text;

    public override object Prepare(InputItem item) => template.RenderCommand(item);

    public override void CheckFirstItem(InputItem item)
    {
        template.Bind(item);

        // A program no item can start fails the run now, in one line, not each item with "command not found" (run56).
        if (template.FixedProgram() is { } program)
        {
            ProgramPreflight.Check(program, Environment.GetEnvironmentVariable("PATH"), static name => Environment.GetEnvironmentVariable(name) is not null);
        }
    }

    public override JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<PreparedItem, byte[]?, string?> onCompleted)
    {
        // The engine tries a failed command again (with backoff), calling this once per attempt; --timeout is enforced
        // here, per attempt, by killing the command's process group (harder than the kit's cooperative ItemTimeout).
        retry.ApplyTo(options);
        var stream = Runner.StreamAsync(prepared, async (entry, cancellationToken) =>
        {
            var attempt = ++entry.Attempts;
            var slot = template.UsesSlot ? TakeSlot() : 0;
            Interlocked.Increment(ref _running);
            try
            {
                var command = slot > 0 ? ((RenderedCommand)entry.Value).WithSlot(slot) : (RenderedCommand)entry.Value;
                var linger = notices is null ? null : new LingerNotice(LingerAfter, holders => notices(Lingering(entry.Item, holders)));
                var (output, cpu, queued) = await ExecRunner.RunAsync(command, timeout, stderr, passFailure: retry.IsLast(attempt), linger, cancellationToken).ConfigureAwait(false);

                // The command's CPU time is what tells auto mode a CPU-bound command from one that waits; its time waiting
                // for a core is not a wait of its own (a busy machine would make a computing command look half idle).
                if (cpu is { } used)
                {
                    ExternalCpuTime.Add(used, queued);
                }

                onCompleted(entry, output, null);
                return output;
            }
            catch (ExecFailedException e)
            {
                // A failed command used its CPU time too: before, only a success's counted, and 6 × `timeout 3 sh -c
                // 'while :; do :; done'` (exit 124) read as 3 s of waiting each, planned Async ×64 (auto72).
                if (e.CpuTime is { } used)
                {
                    ExternalCpuTime.Add(used, e.RunQueueWait);
                }

                if (retry.IsLast(attempt))
                {
                    // The engine tries it no more: journaled now as the failure it reports (an earlier attempt's is not),
                    // with what this last attempt wrote to stdout, which goes to the output in the item's place.
                    entry.FailedOutput = e.Output;
                    onCompleted(entry, e.Output, JobRetry.Describe(e.Message, attempt));
                }

                throw;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
                if (slot > 0)
                {
                    ReturnSlot(slot);
                }
            }
        }, options);
        return new JobStream(stream, () => stream.Report);
    }

    // Without it, a command that started a server or a daemon with `&` and its output still on brigade's pipe kept its item
    // running (and the run, at its end) for as long as that process lived, without a word (review 45).
    private string Lingering(InputItem item, string holders) =>
        $"brigade run: item {item.Index} (line {item.Line}): its command exited {LingerAfter.TotalSeconds:0.#} s ago, but " +
        (holders.Length > 0 ? $"a process it left in the background ({holders})" : "a process it started") +
        " still holds its output open; the item ends when that closes it, as a shell's $(...) waits (start such a process with its output redirected, 'server > log 2>&1 &', or give --timeout)";

    /// <summary>Writes what the commands' stderr still has queued (before the summary), unless the writes are stuck.</summary>
    public override ValueTask DisposeAsync() => stderr?.FlushAsync(StuckStderr) ?? ValueTask.CompletedTask;

    private int TakeSlot()
    {
        lock (_slotsGate)
        {
            if (_freeSlots is { Count: > 0 })
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
            (_freeSlots ??= []).Add(slot);
        }
    }
}
