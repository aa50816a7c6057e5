using Microsoft.Extensions.Logging;

namespace Brigade.Diagnostics;

/// <summary>Log entries of pitfall detection; each event id is the number of a <see cref="PitfallCodes"/> code and never changes.</summary>
internal static partial class PitfallLog
{
    /// <summary>A kind with no entry of its own yet: logged as what it is (its code and kind), never as another kind.</summary>
    [LoggerMessage(EventId = 1000, EventName = "PitfallDetected", Level = LogLevel.Warning, Message = "{PitfallCode} ({PitfallKind}) {Report}")]
    public static partial void PitfallDetected(ILogger logger, string pitfallCode, string pitfallKind, string report);

    [LoggerMessage(EventId = 1001, EventName = "DeadlockDetected", Level = LogLevel.Error, Message = "{PitfallCode} {Report}")]
    public static partial void DeadlockDetected(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1002, EventName = "LockOrderInversion", Level = LogLevel.Warning, Message = "{PitfallCode} {Report}")]
    public static partial void LockOrderInversion(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1003, EventName = "StarvationDetected", Level = LogLevel.Warning, Message = "{PitfallCode} {Report}")]
    public static partial void StarvationDetected(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1004, EventName = "ThreadPoolStarvation", Level = LogLevel.Warning, Message = "{PitfallCode} {Report}")]
    public static partial void ThreadPoolStarvation(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1005, EventName = "ThreadPoolRecovered", Level = LogLevel.Information, Message = "The thread pool recovered after {StarvedSeconds:0.00} s of starvation ({Threads} threads).")]
    public static partial void ThreadPoolRecovered(ILogger logger, double starvedSeconds, int threads);

    [LoggerMessage(EventId = 1006, EventName = "DataRace", Level = LogLevel.Error, Message = "{PitfallCode} {Report}")]
    public static partial void DataRace(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1007, EventName = "LivelockDetected", Level = LogLevel.Error, Message = "{PitfallCode} {Report}")]
    public static partial void LivelockDetected(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1008, EventName = "HangDetected", Level = LogLevel.Error, Message = "{PitfallCode} {Report}")]
    public static partial void HangDetected(ILogger logger, string pitfallCode, string report);

    [LoggerMessage(EventId = 1099, EventName = "ReportHandlerFailed", Level = LogLevel.Error, Message = "A handler of PitfallDiagnostics.Reported threw while handling {PitfallCode}.")]
    public static partial void ReportHandlerFailed(ILogger logger, Exception exception, string pitfallCode);
}
