using System.Text.Json.Serialization.Metadata;

namespace Brigade.Orleans.Protocol;

/// <summary>
/// The wire shape of a work type's input or result: every JSON member of every object type it reaches, as
/// <c>Type.member: MemberType</c> lines. Two builds whose types share a name but not their members (a renamed or
/// retyped property) would otherwise exchange JSON that System.Text.Json reads without complaint, the unknown member
/// skipped and the missing one left at its default: results silently wrong.
/// </summary>
internal static class WorkShape
{
    private const int MaxTypes = 256;

    /// <summary>The shape of <paramref name="root"/>, one sorted line per member; empty for a type without members (a number, a string).</summary>
    public static string Of(JsonTypeInfo root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<Type>();
        var pending = new Stack<JsonTypeInfo>();
        pending.Push(root);
        while (pending.TryPop(out var info) && seen.Count < MaxTypes)
        {
            if (!seen.Add(info.Type))
            {
                continue;
            }

            switch (info.Kind)
            {
                case JsonTypeInfoKind.Object:
                    foreach (var property in info.Properties)
                    {
                        lines.Add($"{Name(info.Type)}.{property.Name}: {Name(property.PropertyType)}");
                        Push(pending, info, property.PropertyType);
                    }

                    break;
                case JsonTypeInfoKind.Enumerable when info.ElementType is { } element:
                    Push(pending, info, element);
                    break;
                case JsonTypeInfoKind.Dictionary:
                    if (info.KeyType is { } key)
                    {
                        Push(pending, info, key);
                    }

                    if (info.ElementType is { } value)
                    {
                        Push(pending, info, value);
                    }

                    break;
                default:
                    break;
            }
        }

        return string.Join('\n', lines);
    }

    /// <summary>How the silo's shape differs from the caller's, in a few words naming the members; null when they agree.</summary>
    public static string? Difference(string silo, string caller)
    {
        if (string.Equals(silo, caller, StringComparison.Ordinal))
        {
            return null;
        }

        var here = silo.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var there = caller.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var onlySilo = here.Except(there, StringComparer.Ordinal).ToList();
        var onlyCaller = there.Except(here, StringComparer.Ordinal).ToList();
        return $"the silo's build has {List(onlySilo)}, the caller's {List(onlyCaller)}";
    }

    private static string List(List<string> members) =>
        members.Count == 0 ? "nothing else" : string.Join(", ", members.Take(3)) + (members.Count > 3 ? $" and {members.Count - 3} more" : "");

    private static void Push(Stack<JsonTypeInfo> pending, JsonTypeInfo from, Type type)
    {
        try
        {
            pending.Push(from.Options.GetTypeInfo(type));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // A type the serializer cannot describe has no members to compare; its name is in the parent's line.
        }
    }

    // Names without assembly versions: a rebuilt assembly with the same members has the same shape.
    private static string Name(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Name(underlying) + "?";
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var definition = type.GetGenericTypeDefinition().FullName ?? type.Name;
        var tick = definition.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? definition : definition[..tick])}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>";
    }
}
