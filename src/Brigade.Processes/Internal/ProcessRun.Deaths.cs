namespace Brigade.Processes.Internal;

// What a process loop does when its worker dies or is condemned: retry, isolate, or report each item.
internal sealed partial class ProcessRun<TIn, TOut>
{
    // A worker its watchdog killed just as it reported progress: discarded (never reused), and everything not yet
    // reported runs again on a replacement, charged to no item, one result per chunk; or, when the run is stopping
    // (the grace period of a cancellation is one such kill), it is reported not run.
    private void Abandon(ProcessLoopState<TIn, TOut> state, WorkerProcess process)
    {
        state.Process = null;
        _engine.Pool.Discard(process);
        if (_job.CancellationToken.IsCancellationRequested)
        {
            NotRunInFlight(state);
            return;
        }

        while (state.InFlight.TryDequeue(out var flight))
        {
            flight.Cancellation.Dispose();
            var batch = flight.Pending.Batch;
            if (flight.Delivered < batch.Count)
            {
                Requeue(state, new ItemBatch<TIn>(batch.StartIndex + flight.Delivered, batch.Items[flight.Delivered..].ToArray()));
            }
        }
    }

    private void OnWorkerDied(ProcessLoopState<TIn, TOut> state, WorkerExit exit)
    {
        var timedOut = exit.Reason == KillReason.ItemTimeout;
        _engine.Pool.CountCrash(timedOut);

        // The head batch was running; the ones behind it never started.
        var head = state.InFlight.Dequeue();
        head.Cancellation.Dispose();
        var waiting = new List<InFlightBatch<TIn>>(state.InFlight);
        state.InFlight.Clear();
        foreach (var flight in waiting)
        {
            flight.Cancellation.Dispose();
        }

        var batch = head.Pending.Batch;
        var delivered = head.Delivered;
        if (delivered < batch.Count)
        {
            var rest = batch.Items[delivered..].ToArray();
            var restStart = batch.StartIndex + delivered;
            if (!head.Pending.FlushEachItem && rest.Length > 1)
            {
                // Which item? Run them again reporting after each one: the next death names it.
                Requeue(state, new ItemBatch<TIn>(restStart, rest));
            }
            else
            {
                // Every earlier item was reported (or it was the only one left), so the first unreported one was running.
                var culprit = restStart;
                var culpritItem = new ItemBatch<TIn>(culprit, rest.AsMemory(0, 1));
                if (timedOut)
                {
                    Isolate(state, culpritItem, new TimeoutException(_options.ItemTimeout is { } engineTimeout && engineTimeout != Timeout.InfiniteTimeSpan
                        ? $"Item {culprit} ran longer than the item timeout ({engineTimeout.TotalSeconds:0.###} s); its worker ({exit.Pid}) was killed and replaced."
                        : $"Item {culprit} ran past every attempt's timeout and wait ({_hardTimeout!.Value.TotalSeconds:0.###} s in all) without returning; its worker ({exit.Pid}) was killed and replaced."));
                }
                else
                {
                    var crashes = state.Crashes[culprit] = state.Crashes.GetValueOrDefault(culprit) + 1;
                    if (crashes >= _options.MaxCrashesPerItem)
                    {
                        Isolate(state, culpritItem, new WorkerCrashedException(
                            $"Item {culprit} took down {crashes} worker process{(crashes == 1 ? "" : "es")}; the last one, {exit.Describe()}",
                            exit.ExitCode,
                            exit.Signal,
                            crashes,
                            $"pid {exit.Pid}",
                            exit.StderrTail),
                            attempts: crashes);
                    }
                    else
                    {
                        Requeue(state, culpritItem);
                    }
                }

                if (rest.Length > 1)
                {
                    Requeue(state, new ItemBatch<TIn>(culprit + 1, rest.AsMemory(1)));
                }
            }
        }

        foreach (var flight in waiting)
        {
            Requeue(state, new ItemBatch<TIn>(flight.Pending.Batch.StartIndex, flight.Pending.Batch.Items.ToArray()));
        }
    }

    private void Requeue(ProcessLoopState<TIn, TOut> state, ItemBatch<TIn> batch)
    {
        state.Retries.Enqueue(new PendingBatch<TIn>(batch, FlushEachItem: true));
        _engine.Pool.CountRetried(batch.Count);
    }

    // attempts: how many times the item was tried, ItemFailure.Attempts. An item that took down N workers was tried N times
    // (report 69: it read 1 for an item that took down 2, while its WorkerCrashedException said 2). A death in a batch of
    // several items, which named no culprit, is charged to none (the message and Crashes do not count it either).
    private void Isolate(ProcessLoopState<TIn, TOut> state, ItemBatch<TIn> item, Exception error, int attempts = 1)
    {
        _engine.Pool.CountIsolated();
        Deliver(state.Worker, item, 1, new TOut[1], [new ItemFailure(item.StartIndex, error) { Attempts = attempts }], _job.GetTimestamp(), null);
    }
}
