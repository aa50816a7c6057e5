namespace Brigade.Testing.Conformance;

/// <summary>The suite's assertions: framework-neutral, each failure one line that says what was expected and what came.</summary>
internal static class Check
{
    public static void True(bool condition, string what)
    {
        if (!condition)
        {
            throw new CheckFailedException(what);
        }
    }

    public static void Equal<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new CheckFailedException($"{what}: expected {expected}, got {actual}");
        }
    }

    public static void Sequence<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
    {
        var e = expected.ToList();
        var a = actual.ToList();
        if (e.Count != a.Count)
        {
            throw new CheckFailedException($"{what}: expected {e.Count} elements, got {a.Count} ({Preview(a)})");
        }

        for (var i = 0; i < e.Count; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(e[i], a[i]))
            {
                throw new CheckFailedException($"{what}: at {i} expected {e[i]}, got {a[i]}");
            }
        }
    }

    public static void InRange<T>(T actual, T low, T high, string what)
        where T : IComparable<T>
    {
        if (actual.CompareTo(low) < 0 || actual.CompareTo(high) > 0)
        {
            throw new CheckFailedException($"{what}: expected {low}..{high}, got {actual}");
        }
    }

    public static void Contains(string text, string part, string what)
    {
        if (!text.Contains(part, StringComparison.Ordinal))
        {
            throw new CheckFailedException($"{what}: expected to contain '{part}', got '{text}'");
        }
    }

    public static T Throws<T>(Action action, string what)
        where T : Exception
    {
        try
        {
            action();
        }
        catch (T e)
        {
            return e;
        }
        catch (Exception e) when (e is not CheckFailedException)
        {
            throw new CheckFailedException($"{what}: expected {typeof(T).Name}, got {e.GetType().Name}: {e.Message}");
        }

        throw new CheckFailedException($"{what}: expected {typeof(T).Name}, nothing was thrown");
    }

    public static async Task<T> ThrowsAsync<T>(Func<Task> action, string what)
        where T : Exception
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (T e)
        {
            return e;
        }
        catch (Exception e) when (e is not CheckFailedException)
        {
            throw new CheckFailedException($"{what}: expected {typeof(T).Name}, got {e.GetType().Name}: {e.Message}");
        }

        throw new CheckFailedException($"{what}: expected {typeof(T).Name}, the run completed");
    }

    /// <summary>An item's failure as thrown by the work: the exception itself in this process, its description across a boundary.</summary>
    public static void ItemBroke(ItemFailure failure, string what)
    {
        var type = failure.Exception is RemoteWorkException remote ? remote.RemoteType : failure.Exception.GetType().FullName;
        Equal(typeof(InvalidOperationException).FullName, type, $"{what}: the exception of item {failure.Index}");
        Equal($"item {failure.Index} broke", failure.Exception.Message, $"{what}: the message of item {failure.Index}");
    }

    private static string Preview<T>(List<T> items) => string.Join(", ", items.Take(8)) + (items.Count > 8 ? ", ..." : "");
}
