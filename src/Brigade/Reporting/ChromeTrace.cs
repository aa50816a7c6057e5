using System.Globalization;
using System.Text.Json;

namespace Brigade.Reporting;

/// <summary>
/// Writes run timelines in the Chrome Trace Event Format, which Perfetto (ui.perfetto.dev) and
/// <c>chrome://tracing</c> open: one process per run, one thread per worker, one slice per batch.
/// </summary>
/// <remarks>
/// Times are microseconds from the start of the earliest run, and processes are numbered in start order, so several
/// runs written together appear side by side in the order they ran. Failed batches carry <c>"cname": "terrible"</c>
/// (red) and their failure count.
/// </remarks>
public static class ChromeTrace
{
    /// <summary>Writes the timelines of <paramref name="reports"/> to <paramref name="stream"/> as one JSON document.</summary>
    /// <param name="stream">Where to write UTF-8 JSON.</param>
    /// <param name="reports">The runs, each becoming one trace process.</param>
    public static void Write(Stream stream, IEnumerable<RunReport> reports)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(reports);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        Write(writer, reports);
    }

    /// <summary>Writes the timelines of <paramref name="reports"/> to a file.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="reports">The runs, each becoming one trace process.</param>
    public static void WriteFile(string path, IEnumerable<RunReport> reports)
    {
        using var file = File.Create(path);
        Write(file, reports);
    }

    /// <summary>Returns the trace of <paramref name="reports"/> as a JSON string.</summary>
    /// <param name="reports">The runs, each becoming one trace process.</param>
    /// <returns>The JSON document.</returns>
    public static string ToJson(IEnumerable<RunReport> reports)
    {
        using var buffer = new MemoryStream();
        Write(buffer, reports);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter w, IEnumerable<RunReport> reports)
    {
        // Processes are numbered in start order (stable for ties), so the trace lists runs in the order they ran
        // whatever order the reports were collected in.
        var runs = reports.OrderBy(r => r.StartedAt).ToList();
        var origin = runs.Count > 0 ? runs.Min(r => r.StartedAt) : DateTimeOffset.UnixEpoch;

        w.WriteStartObject();
        w.WriteString("displayTimeUnit", "ms");
        w.WriteStartArray("traceEvents");
        for (var p = 0; p < runs.Count; p++)
        {
            var run = runs[p];
            var pid = p + 1;
            var offsetUs = (run.StartedAt - origin).TotalMicroseconds;

            // A truncated timeline says so where the viewer shows it: the trace alone read as a run that ended early
            // (review 40).
            var truncated = run.TimelineTruncated
                ? string.Create(CultureInfo.InvariantCulture, $" (timeline truncated: the first {run.Timeline.Count:N0} of {run.Batches:N0} batches)")
                : string.Empty;
            // So does a run that stopped before its end (report 72: a cancelled run's trace read as a finished one).
            var stopped = run.Stop is { } stop ? $" ({stop})" : string.Empty;
            WriteMetadata(w, "process_name", pid, 0, $"run {pid}: {run.Engine} ×{run.ShownWidth}{(run.Label is null ? string.Empty : " — " + run.Label)}{stopped}{truncated}");
            WriteMetadata(w, "process_sort_index", pid, 0, null, pid);
            foreach (var worker in run.Workers)
            {
                WriteMetadata(w, "thread_name", pid, worker.Id, worker.Location is null ? worker.Name : $"{worker.Name} ({worker.Location})");
            }

            foreach (var e in run.Timeline)
            {
                w.WriteStartObject();
                w.WriteString("name", e.Count == 1 ? $"item {e.FirstIndex}" : $"items {e.FirstIndex}-{e.FirstIndex + e.Count - 1}");
                w.WriteString("cat", "batch");
                w.WriteString("ph", "X");
                w.WriteNumber("ts", Math.Round(offsetUs + e.Start.TotalMicroseconds, 3));
                w.WriteNumber("dur", Math.Round(e.Duration.TotalMicroseconds, 3));
                w.WriteNumber("pid", pid);
                w.WriteNumber("tid", e.WorkerId);
                if (e.Failed > 0)
                {
                    w.WriteString("cname", "terrible");
                }

                w.WriteStartObject("args");
                w.WriteNumber("first", e.FirstIndex);
                w.WriteNumber("count", e.Count);
                w.WriteNumber("failed", e.Failed);
                if (e.CpuTime is { } cpu)
                {
                    w.WriteNumber("cpuMs", Math.Round(cpu.TotalMilliseconds, 3));
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }
        }

        w.WriteEndArray();
        w.WriteStartObject("otherData");
        w.WriteString("generator", "Brigade");
        w.WriteNumber("runs", runs.Count);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteMetadata(Utf8JsonWriter w, string name, int pid, int tid, string? value, int? sortIndex = null)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("ph", "M");
        w.WriteNumber("pid", pid);
        w.WriteNumber("tid", tid);
        w.WriteStartObject("args");
        if (sortIndex is { } s)
        {
            w.WriteNumber("sort_index", s);
        }
        else
        {
            w.WriteString("name", value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }
}
