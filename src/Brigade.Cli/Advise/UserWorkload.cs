using Brigade.Auto;
using Brigade.Cli.Run;
using Brigade.Workloads;

namespace Brigade.Cli.Advise;

/// <summary>
/// <c>brigade advise --assembly PATH --work TYPE --input FILE</c>: the user's work type over the user's items, as one
/// more <see cref="Workload"/> beside the reference suite. It has no labelled class (nobody told us what it is), and
/// its hand-picked alternatives are the choices a person weighs: one after the other, threads or the thread pool at
/// the cores, wide dedicated threads for blocking work, async concurrency for asynchronous work, and worker processes.
/// </summary>
internal static class UserWorkload
{
    /// <summary>The most items advise reads: it measures, it does not process a whole data set.</summary>
    public const int MaxItems = 1_000_000;

    /// <summary>Loads the work type and reads the items (converted to the work's input type), reporting any problem as a usage error.</summary>
    /// <param name="assemblyPath">The <c>--assembly</c> path.</param>
    /// <param name="typeName">The <c>--work</c> type's full name.</param>
    /// <param name="input">The <c>--input</c> file, or <c>-</c> for stdin.</param>
    /// <param name="format">How to read the input.</param>
    /// <param name="engines">The engines <c>--engines</c> named (only their configurations are measured), or null for every one.</param>
    /// <param name="resources">Makes the worker processes' engine, when measured.</param>
    /// <param name="cancellationToken">Stops reading the input.</param>
    public static async Task<Workload> CreateAsync(string assemblyPath, string typeName, string input, InputFormat format, IReadOnlyList<string>? engines, EngineResources resources, CancellationToken cancellationToken)
    {
        var (descriptor, instance) = WorkLoader.Resolve(assemblyPath, typeName);

        // The conversion from a line, a JSON value or a CSV record to the input type is brigade run's own.
        var converter = WorkLoader.Create(descriptor, instance, inProcess: true, JobRetry.None, timeout: null);
        if (input != "-" && Directory.Exists(input))
        {
            // Said "not found" of a directory that is there before review 59.
            throw new CliUsageException($"--input: '{input}' is a directory; give the file of items");
        }

        if (input != "-" && !File.Exists(input))
        {
            throw new CliUsageException($"--input: '{input}' not found");
        }

        var items = new List<object>();
        var reader = input == "-" ? Console.OpenStandardInput() : File.OpenRead(input);
        await using (reader.ConfigureAwait(false))
        {
            await foreach (var item in InputReader.ReadAsync(reader, InputReader.Resolve(format, input), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                if (item.Malformed is { } why)
                {
                    throw new CliUsageException($"--input: {why}");
                }

                if (items.Count == MaxItems)
                {
                    throw new CliUsageException($"--input: more than {MaxItems:N0} items; advise measures a sample, give it a smaller one");
                }

                try
                {
                    items.Add(converter.Prepare(item));
                }
                catch (FormatException e)
                {
                    throw new CliUsageException($"--input: {e.Message}");
                }
            }
        }

        if (items.Count == 0)
        {
            throw new CliUsageException(input == "-" ? "--input: stdin held no items" : $"--input: '{input}' holds no items");
        }

        var type = typeof(Typed<,>).MakeGenericType(descriptor.InputType, descriptor.OutputType);
        var builder = (IBuilder)Activator.CreateInstance(type)!;
        var cores = Environment.ProcessorCount;
        List<EngineChoice> handPicked =
        [
            new(Engine.ThreadPool, cores),
            new(Engine.Sequential, 1),
            new(Engine.Threads, 16),
            new(Engine.Threads, 64),
            .. descriptor.IsAsync ? [new EngineChoice(Engine.Async, 64), new EngineChoice(Engine.Async, 256)] : Array.Empty<EngineChoice>(),
        ];

        // Worker processes are made only when measured: --engines without them starts none.
        if (engines is null || engines.Contains("processes"))
        {
            handPicked.Add(new(resources.Processes(cores, itemTimeout: null), cores));
        }

        if (engines is not null)
        {
            var runsOn = handPicked.Select(h => h.Engine.Name).Append("processes").Distinct().ToList();
            handPicked.RemoveAll(h => !engines.Contains(h.Engine.Name));
            if (handPicked.Count == 0)
            {
                // The async engine runs IAsyncWork; a synchronous work type's configurations are the others.
                var order = new[] { Engine.Sequential.Name, Engine.ThreadPool.Name, Engine.Threads.Name, Engine.Async.Name, "processes" }.Where(runsOn.Contains).ToList();
                throw new CliUsageException($"--engines {string.Join(",", engines)}: none of them runs {descriptor.Name} ({(descriptor.IsAsync ? "IAsyncWork" : "IWork, synchronous")}); choose among {string.Join(", ", order.Take(order.Count - 1))} or {order[^1]}");
            }
        }

        var name = descriptor.Name[(descriptor.Name.LastIndexOf('.') + 1)..];
        var title = $"{items.Count:N0} × {descriptor.Name} over {(input == "-" ? "stdin" : Path.GetFileName(input))}";
        // Auto runs the items in this process unless --engines names worker processes alone (AdviseCommand.AutoFor); the
        // warm-up's auto plans among the same engines (review 65: an unrestricted one ran eight items at once under
        // --engines sequential, chosen for work that is not thread-safe).
        return builder.Build(name, title, handPicked, instance, items, AdviseEngines.InProcessAuto(engines));
    }

    private interface IBuilder
    {
        Workload Build(string id, string title, IReadOnlyList<EngineChoice> handPicked, object instance, List<object> items, Engine? autoWarmUp);
    }

    private sealed class Typed<TIn, TOut> : IBuilder
    {
        public Workload Build(string id, string title, IReadOnlyList<EngineChoice> handPicked, object instance, List<object> items, Engine? autoWarmUp)
        {
            var inputs = items.Select(i => (TIn)i).ToArray();
            var warmUp = inputs[..Math.Min(inputs.Length, 8)];
            List<Engine> warmUpEngines = [.. handPicked.Select(h => h.Engine).Where(e => e is not Brigade.Processes.ProcessEngine).Distinct()];
            if (autoWarmUp is not null)
            {
                warmUpEngines.Add(autoWarmUp);
            }

            return new Workload(id, title, WorkloadClass.Unknown, handPicked, inputs.Length,
                async (options, ct) => Succeeded((await MapAsync(inputs, options, ct).ConfigureAwait(false)).Report, options),
                async ct =>
                {
                    // Starts the worker processes, every one of them: their cold start (~0.4 s a worker at load) landed on
                    // the first measured run, auto's when auto runs on them alone (review 64: --engines processes,
                    // SquareWork: auto 833 ms, "blocking I/O", against 10 ms for the same pool warm).
                    foreach (var processes in handPicked.Select(h => h.Engine).OfType<Brigade.Processes.ProcessEngine>().Distinct())
                    {
                        try
                        {
                            await processes.WarmUpAsync(instance.GetType(), cancellationToken: ct).ConfigureAwait(false);
                        }
                        catch (Brigade.Processes.WorkerStartException)
                        {
                            // Left for the measured run to meet: it says which item failed and why, as before.
                        }
                    }

                    // Compiles the engines' code for this work's types (the suite's warm-up used other types): the in-process
                    // engines measured only, and auto where it runs here. Review 65: every in-process engine ran the user's
                    // items in this process, under --engines processes too (work a user isolates because it is not
                    // thread-safe, or crashes its process, ran on the thread pool and on threads here) and under
                    // --engines sequential, in parallel.
                    foreach (var engine in warmUpEngines)
                    {
                        await MapAsync(warmUp, new RunOptions { Engine = engine }, ct).ConfigureAwait(false);
                    }
                });

            // advise compares the times of runs that did the work: a run where items failed is the user's work failing,
            // said as such (review 63: "InvalidOperationException: X on auto: 10 failed, 0 not run: ..." before).
            RunReport Succeeded(RunReport report, RunOptions options)
            {
                if (report.IsSuccess)
                {
                    return report;
                }

                var first = report.Failures.Count > 0 ? report.Failures.MinBy(f => f.Index) : null;
                throw new CliIOException(
                    $"{id} failed on {report.Failed:N0} of {inputs.Length:N0} items on {options.Engine?.Name ?? "auto"}" +
                    (first is null ? report.NotRun > 0 ? $" ({report.NotRun:N0} not run)" : "" : $" (the first: item {first.Index + 1:N0} of --input, {OneLine(Describe(first))})") +
                    "; advise measures work that succeeds: fix the work, or leave such items out of --input");
            }

            // "Type: message", from the failure's public text ("item N: Type: message"), which names a static initializer's
            // or a worker process's cause the way brigade run's failures do (review 47).
            static string Describe(ItemFailure failure)
            {
                var text = failure.ToString();
                return text[(text.IndexOf(": ", StringComparison.Ordinal) + 2)..];
            }

            // ArgumentOutOfRangeException's message ends "\nActual value was -2.": the error is one line.
            static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

            Task<RunResult<TOut>> MapAsync(TIn[] source, RunOptions options, CancellationToken ct) => instance is IAsyncWork<TIn, TOut> asyncWork
                ? Runner.MapAsync(source, asyncWork, options, ct)
                : Runner.MapAsync(source, (IWork<TIn, TOut>)instance, options, ct);
        }
    }
}
