using Microsoft.Extensions.Logging;

namespace Brigade.Tests.Synchronization;

/// <summary>A logger whose provider was disposed (at shutdown, say): every log call throws.</summary>
internal sealed class ThrowingLogger : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        throw new ObjectDisposedException("logger", "the logging provider was disposed");
}
