using System.Diagnostics.Metrics;
using Brigade.Diagnostics;
using Brigade.Synchronization;
using Microsoft.Extensions.Logging;

namespace Brigade.Tests.Synchronization;

public sealed class PitfallDiagnosticsTests
{
    [Fact]
    public void AReport_GoesThroughEveryOutletOfTheChannel()
    {
        var logger = new ListLogger();
        var diagnostics = new PitfallDiagnostics { Logger = logger };
        var raised = new List<PitfallReport>();
        diagnostics.Reported += (_, r) => raised.Add(r);
        diagnostics.Reported += (_, _) => throw new InvalidOperationException("a broken handler");
        var measured = new List<(long Value, string? Code)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BrigadeTelemetry.MeterName && instrument.Name == PitfallTelemetry.PitfallsDetected)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == PitfallTelemetry.CodeTag && tag.Value is string code && code == PitfallCodes.Deadlock)
                {
                    lock (measured)
                    {
                        measured.Add((value, code));
                    }
                }
            }
        });
        listener.Start();

        var a = new DetectingLock(new LockOptions { Name = "A", Diagnostics = diagnostics });
        using (a.Acquire())
        {
            Assert.Throws<DeadlockException>(() => a.Acquire());
        }

        var report = Assert.Single(diagnostics.Reports);
        Assert.Same(report, Assert.Single(raised));
        lock (measured)
        {
            Assert.Contains(measured, m => m.Value == 1);
        }

        var entries = logger.Snapshot();
        Assert.Contains(entries, e => e.Id.Id == 1001 && e.Id.Name == "DeadlockDetected" && e.Level == LogLevel.Error && e.Message.StartsWith("BRG1001 Deadlock detected:", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Id.Id == 1099 && e.Level == LogLevel.Error);
    }

    [Fact]
    public void RetainedReports_AreBounded_AndCanBeCleared()
    {
        var diagnostics = new PitfallDiagnostics { MaxRetainedReports = 2 };
        var a = new DetectingLock(new LockOptions { Diagnostics = diagnostics });
        using (a.Acquire())
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Throws<DeadlockException>(() => a.Acquire());
            }
        }

        Assert.Equal(2, diagnostics.Reports.Count);
        diagnostics.ClearReports();
        Assert.Empty(diagnostics.Reports);
    }

    [Fact]
    public void Settings_AreValidated()
    {
        var diagnostics = new PitfallDiagnostics();
        Assert.Throws<ArgumentOutOfRangeException>(() => diagnostics.StarvationThreshold = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => diagnostics.LockOrderMode = (LockOrderMode)7);
        Assert.Throws<ArgumentOutOfRangeException>(() => diagnostics.MaxRetainedReports = -1);
        Assert.Throws<ArgumentNullException>(() => diagnostics.Logger = null!);
        diagnostics.StarvationThreshold = Timeout.InfiniteTimeSpan;
        Assert.Equal(LockOrderMode.Report, diagnostics.LockOrderMode);
        Assert.Equal("BRG1004", PitfallCodes.For(PitfallKind.ThreadPoolStarvation));
    }

    [Fact]
    public void StackTraces_WhenCaptured_AppearInReports()
    {
        var diagnostics = new PitfallDiagnostics { CaptureStackTraces = true };
        var a = new DetectingLock(new LockOptions { Name = "A", Diagnostics = diagnostics });
        using (a.Acquire())
        {
            var refused = Assert.Throws<DeadlockException>(() => a.Acquire());
            Assert.Contains(nameof(StackTraces_WhenCaptured_AppearInReports), refused.Deadlock!.Cycle[0].OwnerAcquiredAt!.StackTrace, StringComparison.Ordinal);
            Assert.Contains("Stack of", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Log_UnknownKind_LogsGenericEventNotThreadPoolStarvation()
    {
        // A kind added later without its own log entry: it must be logged as itself, not as thread-pool starvation.
        var logger = new ListLogger();

        PitfallDiagnostics.Log(logger, (PitfallKind)99, "BRG1099", "Something new detected: details.");

        var entry = Assert.Single(logger.Snapshot());
        Assert.Equal(1000, entry.Id.Id);
        Assert.Equal("PitfallDetected", entry.Id.Name);
        Assert.Equal("BRG1099 (99) Something new detected: details.", entry.Message);
    }

    [Fact]
    public void Log_EveryDefinedKind_HasItsOwnEventNumberedAfterItsCode()
    {
        foreach (var kind in Enum.GetValues<PitfallKind>())
        {
            var logger = new ListLogger();
            var code = PitfallCodes.For(kind);

            PitfallDiagnostics.Log(logger, kind, code, "message");

            var entry = Assert.Single(logger.Snapshot());
            Assert.Equal(int.Parse(code["BRG".Length..], System.Globalization.CultureInfo.InvariantCulture), entry.Id.Id);
            Assert.NotEqual("PitfallDetected", entry.Id.Name);
        }
    }

    private sealed class ListLogger : ILogger
    {
        private List<(LogLevel Level, EventId Id, string Message)> Entries { get; } = [];

        public (LogLevel Level, EventId Id, string Message)[] Snapshot()
        {
            lock (Entries)
            {
                return [.. Entries];
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Entries)
            {
                Entries.Add((logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}
