using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Brigade.Cli.Commands;

/// <summary>
/// The silo's log lines without <c>--verbose</c>: one line per event, an exception as its type and first line only (a
/// silo that cannot reach its membership store says so in a line, not in a stack trace); <c>--verbose</c> keeps the
/// full console format.
/// </summary>
internal sealed class SiloLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "brigade-silo";

    // Orleans' note that the silo runs without server GC: `brigade silo` chooses workstation GC on purpose (it shares
    // machines with the work it runs), so the note is noise at every start.
    private const int ServerGcNote = 100405;

    private volatile bool _muted;

    /// <summary>Writes nothing more: the silo is being stopped after a verdict of its own, and Orleans' warnings of a
    /// non-graceful shutdown would only come before it.</summary>
    public void Mute() => _muted = true;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        if (_muted || logEntry.EventId.Id == ServerGcNote)
        {
            return;
        }

        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var level = logEntry.LogLevel switch
        {
            LogLevel.Critical => "crit",
            LogLevel.Error => "fail",
            LogLevel.Warning => "warn",
            LogLevel.Information => "info",
            _ => "dbug",
        };
        var line = $"{level}: {logEntry.Category}[{logEntry.EventId.Id}] {OneLine(message)}";
        if (logEntry.Exception is { } e)
        {
            var inner = e.GetBaseException();
            line += $" ({inner.GetType().Name}: {OneLine(inner.Message)})";
        }

        textWriter.WriteLine(line);
    }

    /// <summary>The gist of an error message for a one-line report: its first line, up to the first clause after 40 characters.</summary>
    public static string Gist(string text)
    {
        var first = OneLine(text);
        var cut = first.Length > 120 ? first.IndexOf(", ", 40, StringComparison.Ordinal) : -1;
        return cut > 0 ? string.Concat(first.AsSpan(0, cut), " …") : first;
    }

    /// <summary>The text in one line as every cluster error is (Brigade.Orleans' <c>ErrorText</c>: the first line, an inner
    /// exception the text carries named by its first line), cut at 300 characters.</summary>
    public static string OneLine(string text)
    {
        var first = Brigade.Orleans.Dispatch.ErrorText.OneLine(text);
        return first.Length <= 300 ? first : string.Concat(first.AsSpan(0, 300), "…");
    }
}
