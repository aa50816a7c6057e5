using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Brigade.Engines.Remote;

/// <summary>
/// What of an exception's own state crosses to the caller as text: its public scalar properties (numbers, strings, enums,
/// dates, GUIDs, written in the invariant culture) and its <see cref="Exception.Data"/> entries of such values. A user's
/// <c>QuotaException.Remaining</c> crossed as nothing before review 60; the object itself never crosses (Brigade never
/// deserializes arbitrary types), so the caller reads <see cref="RemoteWorkException.RemoteProperties"/> and
/// <see cref="Exception.Data"/> instead.
/// </summary>
/// <remarks>Bounded: at most <see cref="MaxEntries"/> of each, names of at most <see cref="MaxName"/> characters, values of at
/// most <see cref="MaxValue"/> (cut, ending with "..."). Describing never throws: a getter that throws is left out.</remarks>
internal static class ExceptionFields
{
    /// <summary>How many properties, and how many <see cref="Exception.Data"/> entries, cross per exception.</summary>
    public const int MaxEntries = 16;

    /// <summary>The longest name that crosses; longer ones are left out.</summary>
    public const int MaxName = 128;

    /// <summary>The longest value that crosses; longer ones are cut.</summary>
    public const int MaxValue = 1_024;

    // The candidate getters of each exception type, found once: reflecting over the type at every failure cost 2.5 s of
    // CPU for 1e5 failing items (lib61). A ConditionalWeakTable, so a collectible assembly's types can still unload.
    private static readonly ConditionalWeakTable<Type, Getter[]> Getters = new();

    /// <summary>Reads <paramref name="exception"/>'s public scalar properties (those System.Exception itself declares left out).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Properties(Exception exception)
    {
        List<KeyValuePair<string, string>>? found = null;
        Getter[] getters;
        try
        {
            getters = Getters.GetValue(exception.GetType(), GettersOf);
        }
        catch (Exception)
        {
            // A type whose metadata cannot be read (a hostile or half-loaded one): nothing.
            return null;
        }

        foreach (var (name, get) in getters)
        {
            object? value;
            try
            {
                value = get.Invoke(exception, null);
            }
            catch (Exception)
            {
                // A getter that throws says nothing about the failure: left out (describing never throws).
                continue;
            }

            if (Text(value) is { } text)
            {
                (found ??= []).Add(new(name, text));
                if (found.Count == MaxEntries)
                {
                    break;
                }
            }
        }

        return found;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Properties a trimmed application removed are not reported; nothing depends on them.")]
    private static Getter[] GettersOf(Type type)
    {
        var getters = new List<Getter>();
        try
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { } get || property.Name.Length > MaxName ||
                    get.GetBaseDefinition().DeclaringType == typeof(Exception) || !MayBeScalar(property.PropertyType))
                {
                    continue;
                }

                getters.Add(new(property.Name, get));
            }
        }
        catch (Exception)
        {
            // A type whose metadata cannot be read in full: the getters found so far.
        }

        return [.. getters];
    }

    /// <summary>Reads <paramref name="exception"/>'s <see cref="Exception.Data"/> entries of scalar values, keys as text.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? Data(Exception exception)
    {
        List<KeyValuePair<string, string>>? found = null;
        try
        {
            if (exception.Data is not { Count: > 0 } data)
            {
                return null;
            }

            foreach (DictionaryEntry entry in data)
            {
                if (Text(entry.Key) is not { Length: <= MaxName } key || Text(entry.Value) is not { } text)
                {
                    continue;
                }

                (found ??= []).Add(new(key, text));
                if (found.Count == MaxEntries)
                {
                    break;
                }
            }
        }
        catch (Exception)
        {
            // A dictionary that throws while enumerated (changed by another thread): what was found so far.
        }

        return found;
    }

    /// <summary>Cuts <paramref name="text"/> to <see cref="MaxValue"/> characters (a reader of the wire takes nothing longer).</summary>
    public static string Cut(string text) => text.Length <= MaxValue ? text : string.Concat(text.AsSpan(0, MaxValue - 3), "...");

    private static bool MayBeScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(object) || IsScalar(t);
    }

    private static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime) || t == typeof(DateTimeOffset) ||
        t == typeof(TimeSpan) || t == typeof(Guid) || t == typeof(DateOnly) || t == typeof(TimeOnly) || t == typeof(Int128) || t == typeof(UInt128);

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => Cut(s),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        _ when !IsScalar(value.GetType()) => null,
        IFormattable f => Cut(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => Cut(value.ToString() ?? ""),
    };

    private readonly record struct Getter(string Name, MethodInfo Get);
}
