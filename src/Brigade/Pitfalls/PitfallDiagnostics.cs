using System.Diagnostics;
using Brigade.Synchronization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Brigade.Diagnostics;

/// <summary>
/// The one channel through which Brigade reports concurrency pitfalls, and the settings of their detection.
/// </summary>
/// <remarks>
/// <para>Every <see cref="PitfallReport"/> is, in this order: kept in <see cref="Reports"/> (the most recent
/// <see cref="MaxRetainedReports"/>), counted on the <c>brigade.pitfalls</c> counter of the <c>Brigade</c> meter, added
/// as an event to the current <see cref="Activity"/>, logged to <see cref="Logger"/> with the code's number as event
/// id, and raised as <see cref="Reported"/>. Nothing of this runs under a Brigade lock.</para>
/// <para><see cref="Default"/> is the process-wide channel every primitive uses unless its
/// <see cref="LockOptions.Diagnostics"/> names another; tests create their own with a fake <see cref="System.TimeProvider"/>.
/// Locks only check their order against locks of the same channel.</para>
/// </remarks>
/// <example>
/// <code>
/// PitfallDiagnostics.Default.Logger = loggerFactory.CreateLogger("Brigade.Pitfalls");
/// PitfallDiagnostics.Default.LockOrderMode = LockOrderMode.Throw;   // in tests: fail on any inversion
/// PitfallDiagnostics.Default.Reported += (_, report) => Console.Error.WriteLine(report.Message);
/// </code>
/// </example>
[DebuggerDisplay("{Reports.Count} reports, lock order {LockOrderMode}")]
public sealed class PitfallDiagnostics
{
    /// <summary>The environment variable that sets <see cref="Default"/>'s <see cref="LockOrderMode"/>: <c>off</c>, <c>report</c> or <c>throw</c>.</summary>
    public const string LockOrderModeVariable = "BRIGADE_LOCK_ORDER";

    // Guards _reports. A leaf: nothing else is taken while it is held, and no handler runs under it.
    private readonly Lock _reportsLock = new();
    private readonly Queue<PitfallReport> _reports = new();
    private ILogger _logger = NullLogger.Instance;
    private LockOrderMode _lockOrderMode = LockOrderMode.Report;
    private TimeSpan _starvationThreshold = TimeSpan.FromSeconds(1);
    private int _maxRetainedReports = 256;

    /// <summary>Initializes a channel on the system clock.</summary>
    public PitfallDiagnostics()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Initializes a channel whose thresholds, timeouts and timestamps use <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock; a fake one in tests.</param>
    public PitfallDiagnostics(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        OrderGraph = new LockOrderGraph(this);
    }

    /// <summary>Occurs after a pitfall is detected, on the detecting thread, outside every Brigade lock.</summary>
    /// <remarks>A handler that throws is logged (event id 1099) and does not disturb the primitive that reported.</remarks>
    public event EventHandler<PitfallReport>? Reported;

    /// <summary>Gets the process-wide channel.</summary>
    /// <value>Its <see cref="LockOrderMode"/> starts from the <c>BRIGADE_LOCK_ORDER</c> environment variable when set.</value>
    public static PitfallDiagnostics Default { get; } = CreateDefault();

    /// <summary>Gets the clock of starvation thresholds, acquisition timeouts and report timestamps.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets or sets where reports are logged.</summary>
    /// <value>Defaults to <see cref="NullLogger.Instance"/>.</value>
    public ILogger Logger
    {
        get => Volatile.Read(ref _logger);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Volatile.Write(ref _logger, value);
        }
    }

    /// <summary>Gets or sets what lock-order checking does: nothing, report inversions, or also throw <see cref="LockOrderException"/>.</summary>
    /// <value>Defaults to <see cref="LockOrderMode.Report"/>.</value>
    public LockOrderMode LockOrderMode
    {
        get => _lockOrderMode;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "unknown lock-order mode");
            }

            _lockOrderMode = value;
        }
    }

    /// <summary>Gets or sets how long a waiter may wait, while others are granted the resource, before it is reported as starved.</summary>
    /// <value>Defaults to 1 second; <see cref="Timeout.InfiniteTimeSpan"/> turns starvation reports off.</value>
    public TimeSpan StarvationThreshold
    {
        get => _starvationThreshold;
        set
        {
            if (value <= TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "the starvation threshold must be positive or Timeout.InfiniteTimeSpan");
            }

            _starvationThreshold = value;
        }
    }

    /// <summary>Gets or sets whether each acquisition records its stack trace, shown in reports next to the caller's file and line.</summary>
    /// <value>Defaults to <see langword="false"/>: a stack trace costs tens of microseconds per acquisition.</value>
    public bool CaptureStackTraces { get; set; }

    /// <summary>Gets or sets how many of the most recent reports <see cref="Reports"/> keeps.</summary>
    /// <value>Defaults to 256.</value>
    public int MaxRetainedReports
    {
        get => _maxRetainedReports;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _maxRetainedReports = value;
        }
    }

    /// <summary>Gets the most recent reports, oldest first.</summary>
    public IReadOnlyList<PitfallReport> Reports
    {
        get
        {
            lock (_reportsLock)
            {
                return _reports.ToArray();
            }
        }
    }

    /// <summary>Gets the lock-order graph of the primitives reporting here.</summary>
    internal LockOrderGraph OrderGraph { get; }

    /// <summary>Forgets the retained reports (the lock-order graph keeps what it learned).</summary>
    public void ClearReports()
    {
        lock (_reportsLock)
        {
            _reports.Clear();
        }
    }

    /// <summary>Sends a report through the channel. Never call it under a Brigade lock: handlers run here.</summary>
    internal void Publish(PitfallReport report)
    {
        lock (_reportsLock)
        {
            _reports.Enqueue(report);
            while (_reports.Count > _maxRetainedReports)
            {
                _reports.Dequeue();
            }
        }

        // The report is kept above; the meter's listeners, the activity's and the logger are the application's: one that
        // throws (a logging provider disposed at shutdown) must not break the lock operation that reported, as a handler's
        // failure does not. Reports are published inside acquisitions and releases (after a grant, on a releasing thread):
        // a throw there left the lock taken for good by a caller that never got its handle.
        var logger = Logger;
        try
        {
            Telemetry.Pitfalls.Add(1, new KeyValuePair<string, object?>(PitfallTelemetry.CodeTag, report.Code), new KeyValuePair<string, object?>(PitfallTelemetry.KindTag, report.Kind.ToString()));
            Activity.Current?.AddEvent(new ActivityEvent("brigade.pitfall", tags: new ActivityTagsCollection
            {
                [PitfallTelemetry.CodeTag] = report.Code,
                [PitfallTelemetry.KindTag] = report.Kind.ToString(),
                ["brigade.pitfall.message"] = report.Message,
            }));
            Log(logger, report.Kind, report.Code, report.Message);
        }
#pragma warning disable CA1031 // The application's logger or listeners failed: nothing to tell them with, and the report is kept.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            logger = NullLogger.Instance;
        }

        var handlers = Reported;
        if (handlers is null)
        {
            return;
        }

        foreach (EventHandler<PitfallReport> handler in handlers.GetInvocationList())
        {
            try
            {
                handler(this, report);
            }
#pragma warning disable CA1031 // A handler's failure must not break the lock operation that reported: it is logged instead.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogHandlerFailure(logger, e, report.Code);
            }
        }
    }

    // A handler's failure goes to the logger, unless the logger itself fails (then nowhere: see Publish).
    private static void LogHandlerFailure(ILogger logger, Exception failure, string code)
    {
        try
        {
            PitfallLog.ReportHandlerFailed(logger, failure, code);
        }
#pragma warning disable CA1031 // The logger failed too.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Logs a report under its kind's own event (id = the code's number); a kind without one gets the generic event 1000.</summary>
    /// <remarks>Every kind of <see cref="PitfallKind"/> has its entry here: a new kind adds a <see cref="PitfallLog"/> method
    /// and a case (a test walks the enum), and until it does it is logged as what it is, not as another kind.</remarks>
    internal static void Log(ILogger logger, PitfallKind kind, string code, string message)
    {
        switch (kind)
        {
            case PitfallKind.Deadlock:
                PitfallLog.DeadlockDetected(logger, code, message);
                break;
            case PitfallKind.LockOrderInversion:
                PitfallLog.LockOrderInversion(logger, code, message);
                break;
            case PitfallKind.Starvation:
                PitfallLog.StarvationDetected(logger, code, message);
                break;
            case PitfallKind.ThreadPoolStarvation:
                PitfallLog.ThreadPoolStarvation(logger, code, message);
                break;
            case PitfallKind.DataRace:
                PitfallLog.DataRace(logger, code, message);
                break;
            case PitfallKind.Livelock:
                PitfallLog.LivelockDetected(logger, code, message);
                break;
            case PitfallKind.Hang:
                PitfallLog.HangDetected(logger, code, message);
                break;
            default:
                PitfallLog.PitfallDetected(logger, code, kind.ToString(), message);
                break;
        }
    }

    private static PitfallDiagnostics CreateDefault()
    {
        var diagnostics = new PitfallDiagnostics();
        var mode = Environment.GetEnvironmentVariable(LockOrderModeVariable);
        if (!string.IsNullOrWhiteSpace(mode) && Enum.TryParse<LockOrderMode>(mode.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            diagnostics.LockOrderMode = parsed;
        }

        return diagnostics;
    }
}
