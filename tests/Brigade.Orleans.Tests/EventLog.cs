using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Brigade.Orleans.Tests;

/// <summary>A logger that keeps the event ids and messages the engine logs.</summary>
public sealed class EventLog : ILogger<ClusterEngine>
{
    public ConcurrentQueue<(int Id, string Message)> Events { get; } = new();

    public bool Has(int eventId) => Events.Any(e => e.Id == eventId);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Events.Enqueue((eventId.Id, formatter(state, exception)));
}
