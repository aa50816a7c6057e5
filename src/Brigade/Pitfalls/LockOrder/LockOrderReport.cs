using System.Globalization;
using System.Text;
using Brigade.Diagnostics;

namespace Brigade.Synchronization;

/// <summary>
/// A potential deadlock (<see cref="PitfallCodes.LockOrderInversion"/>): an acquisition inverted an order seen before,
/// even though this run did not hang. The message starts with <c>Potential deadlock (lock-order inversion):</c>.
/// </summary>
public sealed class LockOrderReport : PitfallReport
{
    internal LockOrderReport(LockOrderEdge current, IReadOnlyList<LockOrderEdge> earlierPath, DateTimeOffset time)
        : base(PitfallKind.LockOrderInversion, Format(current, earlierPath), time)
    {
        Current = current;
        EarlierPath = earlierPath;
    }

    /// <summary>Gets the acquisition that inverted the order.</summary>
    public LockOrderEdge Current { get; }

    /// <summary>Gets the earlier acquisitions that established the opposite order, from the lock now taken to the lock now held.</summary>
    public IReadOnlyList<LockOrderEdge> EarlierPath { get; }

    private static string Format(LockOrderEdge current, IReadOnlyList<LockOrderEdge> earlierPath)
    {
        var text = new StringBuilder();
        text.Append("Potential deadlock (lock-order inversion): ")
            .Append(current.Holder).Append(" takes ").Append(current.AcquiredLock).Append(Text.At(current.AcquiredAt))
            .Append(" while holding ").Append(current.HeldLock).Append(Text.At(current.HeldAt, "taken at "))
            .Append(", but the opposite order was seen before:");
        foreach (var edge in earlierPath)
        {
            text.Append('\n').Append("  ").Append(edge).Append(" at ").Append(edge.Time.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture));
        }

        text.Append('\n')
            .Append("This run did not hang, but if these paths run at the same time each can hold one lock and wait for the other forever. ")
            .Append("Take the locks in one global order everywhere.");
        Text.AppendStack(text, $"{current.Holder} taking {current.AcquiredLock}", current.AcquiredAt);
        Text.AppendStack(text, $"{current.Holder} holding {current.HeldLock}", current.HeldAt);
        foreach (var edge in earlierPath)
        {
            Text.AppendStack(text, $"{edge.Holder} taking {edge.AcquiredLock}", edge.AcquiredAt);
        }

        return text.ToString();
    }
}
