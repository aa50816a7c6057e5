using System.Collections.Concurrent;
using Brigade.Synchronization;

namespace Brigade.Diagnostics;

/// <summary>
/// The polite-hallway livelock on Brigade's primitives: two threads each hold one primitive, try to take the other's,
/// fail, release theirs, back off and retry — forever, in step. Seen through the observer hook: a streak of failed
/// try-acquisitions made while holding something, by two threads each wanting what the other held.
/// </summary>
/// <remarks>Synchronous acquisitions only (threads); a streak ends when the thread gets what it wanted, or when it marks
/// progress with its <see cref="ProgressParticipant"/> (review 38: two workers that each try, with a fallback, to take the
/// other's lock between items were reported as a livelock while both progressed).</remarks>
internal sealed class PoliteLivelockObserver(PitfallDiagnostics diagnostics, int attempts) : ISynchronizationObserver
{
    private readonly ConcurrentDictionary<int, Streak> _streaks = new();
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static List<SynchronizationPrimitive>? t_held;

    public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode)
    {
    }

    public void OnWaiting(SynchronizationPrimitive primitive, AccessMode mode, Holder waiter)
    {
    }

    public void OnAcquired(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
    {
        if (holder.AsThread is null)
        {
            return;
        }

        (t_held ??= []).Add(primitive);
        if (_streaks.TryGetValue(Environment.CurrentManagedThreadId, out var streak) && ReferenceEquals(streak.Wanted, primitive))
        {
            _streaks.TryRemove(Environment.CurrentManagedThreadId, out _);
        }
    }

    public void OnReleasing(SynchronizationPrimitive primitive, AccessMode mode, Holder holder)
    {
        if (holder.AsThread is not null)
        {
            t_held?.Remove(primitive);
        }
    }

    public void OnAcquireFailed(SynchronizationPrimitive primitive, AccessMode mode)
    {
        if (t_held is not { Count: > 0 } held)
        {
            return;   // a try that fails while holding nothing cannot be part of a hallway dance
        }

        var id = Environment.CurrentManagedThreadId;
        var streak = _streaks.GetOrAdd(id, static (_, name) => new Streak(name), ThreadName());
        var participant = ProgressWatchdog.CurrentParticipant;
        var marks = participant?.Marks ?? 0;
        if (!ReferenceEquals(streak.Wanted, primitive) || !ReferenceEquals(streak.Participant, participant) || streak.Marks != marks)
        {
            streak.Wanted = primitive;
            streak.Failures = 0;
            streak.Participant = participant;
            streak.Marks = marks;
        }

        streak.Held = [.. held];
        if (++streak.Failures < attempts)
        {
            return;
        }

        foreach (var (otherId, other) in _streaks)
        {
            if (otherId == id || other.Failures < attempts || other.Wanted is null || other.HasProgressed)
            {
                continue;
            }

            // Each wants what the other holds while it tries: neither can ever win while both stay polite.
            if (other.Held.Contains(primitive) && streak.Held.Contains(other.Wanted))
            {
                var key = string.Join('|', new[] { streak.Name + streak.Wanted.Name, other.Name + other.Wanted.Name }.Order(StringComparer.Ordinal));
                if (_reported.TryAdd(key, 0))
                {
                    diagnostics.Publish(Report(streak, other));
                }

                return;
            }
        }
    }

    private ProgressReport Report(Streak a, Streak b)
    {
        var message =
            $"Livelock detected: {a.Name} and {b.Name} keep backing off from each other: {a.Name} failed {a.Failures} times in a row to take {a.Wanted!} while holding {Names(a.Held)}, " +
            $"and {b.Name} failed {b.Failures} times to take {b.Wanted!} while holding {Names(b.Held)}; each releases and retries in step, so neither ever gets both (a polite livelock: busy, no progress).\n" +
            "Take the primitives in one global order (then a blocking Acquire cannot deadlock), or back off for a random time before retrying so one of them gets through.";
        return new ProgressReport(
            PitfallKind.Livelock,
            message,
            [new WatchedFlow(a.Name, $"trying {a.Wanted}", TimeSpan.Zero, null, false, 0), new WatchedFlow(b.Name, $"trying {b.Wanted}", TimeSpan.Zero, null, false, 0)],
            diagnostics.TimeProvider.GetUtcNow());
    }

    private static string Names(SynchronizationPrimitive[] held) => string.Join(", ", held.Select(p => p.ToString()));

    private static string ThreadName()
    {
        var thread = Thread.CurrentThread;
        return thread.Name is { } name ? $"thread '{name}' (#{Environment.CurrentManagedThreadId})" : $"thread #{Environment.CurrentManagedThreadId}";
    }

    private sealed class Streak(string name)
    {
        public string Name => name;

        public SynchronizationPrimitive? Wanted { get; set; }

        public SynchronizationPrimitive[] Held { get; set; } = [];

        public int Failures { get; set; }

        /// <summary>Gets or sets the flow watched on the thread when the streak began (null: not watched).</summary>
        public ProgressParticipant? Participant { get; set; }

        /// <summary>Gets or sets its progress marks when the streak began.</summary>
        public long Marks { get; set; }

        /// <summary>Gets whether the thread marked progress since the streak began (read from another thread).</summary>
        public bool HasProgressed => Participant is { } p && p.Marks != Marks;
    }
}
