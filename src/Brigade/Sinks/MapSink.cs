namespace Brigade.Sinks;

/// <summary>Collects every result in input order.</summary>
/// <remarks>
/// When the input's length is known, workers write straight into the final array (no copy, no lock per batch);
/// otherwise each batch keeps its own array and they are stitched together at the end.
/// </remarks>
internal sealed class MapSink<TOut> : ResultSink<TOut>
{
    // Guards _batches and _notRun.
    private readonly Lock _gate = new();
    private readonly TOut[]? _results;
    private readonly List<(long Start, Memory<TOut> Values)>? _batches;
    private readonly List<(long Start, int Count)> _notRun = [];

    public MapSink(long? count)
    {
        if (count is { } n && n <= Array.MaxLength)
        {
            // Every slot is written by its item's work; the few that are not (failed, not run) are cleared in Build.
            // Skipping the zeroing matters for tiny items, where it is a visible share of the run.
            _results = GC.AllocateUninitializedArray<TOut>((int)n);
        }
        else
        {
            _batches = [];
        }
    }

    public override Memory<TOut> RentValues(long startIndex, int count) =>
        _results is not null ? _results.AsMemory((int)startIndex, count) : new TOut[count];

    public override ValueTask OnBatchAsync(long startIndex, int ran, Memory<TOut> values, IReadOnlyList<ItemFailure>? failures, CancellationToken cancellationToken)
    {
        if (_batches is not null && ran > 0)
        {
            lock (_gate)
            {
                _batches.Add((startIndex, values[..ran]));
            }
        }

        return ValueTask.CompletedTask;
    }

    public override void OnNotRun(long startIndex, int count)
    {
        lock (_gate)
        {
            _notRun.Add((startIndex, count));
        }
    }

    public RunResult<TOut> Build(RunReport report, long itemsRead)
    {
        TOut[] values;
        if (_results is not null)
        {
            values = _results.Length == itemsRead ? _results : _results.AsSpan(0, (int)itemsRead).ToArray();
        }
        else
        {
            values = new TOut[itemsRead];
            foreach (var (start, batch) in _batches!)
            {
                batch.Span.CopyTo(values.AsSpan((int)start));
            }
        }

        // Items never read (the run stopped before them) are reported as not run when the input's size is known.
        var notRun = new List<(long Start, int Count)>(_notRun);
        if (_results is not null && itemsRead < _results.Length)
        {
            notRun.Add((itemsRead, _results.Length - (int)itemsRead));
        }

        notRun.Sort();
        if (_results is not null)
        {
            // Slots no item wrote hold whatever the uninitialized array held: make them default, as documented.
            foreach (var (start, count) in notRun)
            {
                Array.Clear(values, (int)start, (int)Math.Min(count, Math.Max(0, values.Length - start)));
            }

            foreach (var failure in report.Failures)
            {
                if (failure.Index < values.Length)
                {
                    values[failure.Index] = default!;
                }
            }
        }
        return new RunResult<TOut>(values, _results?.Length ?? itemsRead, notRun, report);
    }
}
