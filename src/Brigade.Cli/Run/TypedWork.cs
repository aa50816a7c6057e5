using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace Brigade.Cli.Run;

/// <summary>
/// A .NET work type from the user's assembly (<c>--assembly PATH --work TYPE</c>): items are converted to its input
/// type from JSON (JSON Lines), the line itself (a string input, or a JSON literal on the line) or the CSV record
/// (an object whose properties are the header's columns); results are written one per line, as JSON (strings as is).
/// </summary>
internal sealed class TypedWork<TIn, TOut>(WorkDescriptor descriptor, object instance, bool inProcess, JobRetry retry, TimeSpan? timeout) : JobWork
{
    private readonly JsonTypeInfo<TIn> _input = (JsonTypeInfo<TIn>)descriptor.InputTypeInfo;
    private readonly JsonTypeInfo<TOut> _output = (JsonTypeInfo<TOut>)descriptor.OutputTypeInfo;

    public override string Description => $"work:{descriptor.Name}";

    public override object Prepare(InputItem item)
    {
        if (typeof(TIn) == typeof(string))
        {
            // .NET strings are text: input bytes that are not valid UTF-8 read as U+FFFD, as any UTF-8 decoder gives them.
            return item.Json is { ValueKind: JsonValueKind.String } s ? s.GetString()! : ByteText.ToText(item.Text);
        }

        var json = item.Json is { } element ? element.GetRawText()
            : item.Fields is { } fields ? CsvToJson(item.Header!, fields)
            : item.Text;
        try
        {
            return JsonSerializer.Deserialize(json, _input) ?? throw new FormatException($"line {item.Line}: the item is null, not a {typeof(TIn).Name}");
        }
        catch (JsonException e)
        {
            throw new FormatException($"line {item.Line}: the item is not a valid {typeof(TIn).Name}: {e.Message}", e);
        }
    }

    public override JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<PreparedItem, byte[]?, string?> onCompleted)
    {
        if (inProcess)
        {
            // In this process the work runs as a delegate, which allows journaling on completion; the engine retries it
            // (with backoff) and enforces --timeout per attempt (cancelling asynchronous work; a late synchronous result is discarded).
            retry.ApplyTo(options);
            options.ItemTimeout = timeout;
            var stream = Runner.StreamAsync(prepared, async (entry, cancellationToken) =>
            {
                var attempt = ++entry.Attempts;
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var value = instance is IAsyncWork<TIn, TOut> asyncWork
                        ? await asyncWork.ExecuteAsync((TIn)entry.Value, cancellationToken).ConfigureAwait(false)
                        : timeout is null
                        ? ((IWork<TIn, TOut>)instance).Execute((TIn)entry.Value)
                        : await ExecuteApartAsync((IWork<TIn, TOut>)instance, (TIn)entry.Value).ConfigureAwait(false);
                    var bytes = Encode(value);

                    // Past the timeout the engine discards the result (and may try again): not a result to journal.
                    if (timeout is not { } limit || Stopwatch.GetElapsedTime(started) <= limit)
                    {
                        onCompleted(entry, bytes, null);
                    }

                    return bytes;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    var message = $"{e.GetType().Name}: {e.Message}{Cause(e)}";
                    // An attempt the engine abandoned (a second past its timeout: ItemPolicy.AbandonGrace) that throws later:
                    // the engine has reported its item already.
                    if (retry.IsLast(attempt) && !(timeout is { } late && Stopwatch.GetElapsedTime(started) > late + Brigade.Engines.ItemPolicy.AbandonGrace))
                    {
                        // The engine tries it no more: journaled now as the failure it reports (an earlier attempt's is not).
                        onCompleted(entry, null, JobRetry.Describe(message, attempt));
                    }

                    throw new InvalidOperationException(message, e);
                }
            }, options);
            return new JobStream(stream, () => stream.Report);
        }

        // Elsewhere (worker processes, a cluster) the engine needs the work type itself; it handles crashes and retries.
        var inputs = Inputs(prepared);
        var remote = instance is IAsyncWork<TIn, TOut> a
            ? Runner.StreamAsync(inputs, a, options)
            : Runner.StreamAsync(inputs, (IWork<TIn, TOut>)instance, options);
        return new JobStream(Encode(remote), () => remote.Report);
    }

    // With --timeout, a synchronous Execute runs on a thread of its own, and the attempt is a task the engine can give up
    // on: called inside the delegate, an Execute that never returned (a read without a timeout, a lock never released)
    // never handed the engine a pending attempt to abandon a second past its timeout, and the run never ended, nor did a
    // SIGTERM's clean stop (review 66). The thread is a background one: an abandoned call does not keep brigade alive.
    private static Task<TOut> ExecuteApartAsync(IWork<TIn, TOut> work, TIn input) =>
        Task.Factory.StartNew(() => work.Execute(input), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async IAsyncEnumerable<TIn> Inputs(IAsyncEnumerable<PreparedItem> prepared, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in prepared.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return (TIn)entry.Value;
        }
    }

    private async IAsyncEnumerable<ItemResult<byte[]>> Encode(IAsyncEnumerable<ItemResult<TOut>> results, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var r in results.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return r.IsSuccess ? ItemResult<byte[]>.Success(r.Index, Encode(r.Value!)) : ItemResult<byte[]>.Failure(r.Index, Describe(r.Exception));
        }
    }

    // Failures read the same whichever engine ran the item: "ExceptionType: message (where)".
    private static InvalidOperationException Describe(Exception e) => e switch
    {
        RemoteWorkException remote => new InvalidOperationException(
            $"{remote.RemoteType[(remote.RemoteType.LastIndexOf('.') + 1)..]}: {remote.Message}{Cause(e)}{(remote.Location is null ? "" : $" ({remote.Location})")}", e),
        _ => new InvalidOperationException($"{e.GetType().Name}: {e.Message}{Cause(e)}", e),
    };

    // A type initializer's message never says why it failed ("The type initializer for 'X' threw an exception."): its inner
    // exception does, on every engine (review 47).
    private static string Cause(Exception e) =>
        e is TypeInitializationException or RemoteWorkException { RemoteType: "System.TypeInitializationException" } && e.InnerException is { } inner
            ? $" ---> {(inner is RemoteWorkException r ? r.RemoteType[(r.RemoteType.LastIndexOf('.') + 1)..] : inner.GetType().Name)}: {inner.Message}{Cause(inner)}"
            : "";

    private byte[] Encode(TOut value)
    {
        if (value is string text)
        {
            return Encoding.UTF8.GetBytes(text.EndsWith('\n') ? text : text + "\n");
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(value, _output);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    // CSV values are text; numbers and booleans are passed as such so that typed properties bind.
    private static string CsvToJson(IReadOnlyList<string> header, IReadOnlyList<string> fields)
    {
        var obj = new JsonObject();
        for (var i = 0; i < header.Count; i++)
        {
            var f = fields[i];
            obj[header[i]] = long.TryParse(f, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? JsonValue.Create(l)
                : double.TryParse(f, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d)
                : bool.TryParse(f, out var b) ? JsonValue.Create(b)
                : JsonValue.Create(f);
        }

        return obj.ToJsonString();
    }
}
