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
        : this(Disambiguate([current, .. earlierPath]), time)
    {
    }

    private LockOrderReport(LockOrderEdge[] edges, DateTimeOffset time)
        : base(PitfallKind.LockOrderInversion, Format(edges[0], edges[1..]), time)
    {
        Current = edges[0];
        EarlierPath = edges[1..];
    }

    /// <summary>Gets the acquisition that inverted the order.</summary>
    public LockOrderEdge Current { get; }

    /// <summary>Gets the earlier acquisitions that established the opposite order, from the lock now taken to the lock now held.</summary>
    public IReadOnlyList<LockOrderEdge> EarlierPath { get; }

    /// <summary>Distinct primitives with the same name (two instances of an <c>account</c> lock) get their instance
    /// number, such as <c>lock 'account' (#7)</c>: a report must not read "takes 'account' while holding 'account'".</summary>
    private static LockOrderEdge[] Disambiguate(LockOrderEdge[] edges)
    {
        var ids = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        foreach (var e in edges)
        {
            Add(e.HeldLock, e.HeldId);
            Add(e.AcquiredLock, e.AcquiredId);
        }

        if (ids.Values.All(set => set.Count < 2))
        {
            return edges;
        }

        string Name(string name, int id) => id != 0 && ids[name].Count > 1 ? string.Create(CultureInfo.InvariantCulture, $"{name} (#{id})") : name;
        return [.. edges.Select(e => new LockOrderEdge(e.Holder, Name(e.HeldLock, e.HeldId), e.HeldAt, Name(e.AcquiredLock, e.AcquiredId), e.AcquiredAt, e.Time, e.HeldId, e.AcquiredId))];

        void Add(string name, int id)
        {
            if (!ids.TryGetValue(name, out var set))
            {
                ids[name] = set = [];
            }

            set.Add(id);
        }
    }

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
