using System.Text.Json.Serialization.Metadata;

namespace Brigade.Orleans.Protocol;

/// <summary>
/// The wire shape of a work type's input or result: every JSON member of every object type it reaches, as
/// <c>Type.member: MemberType</c> lines. Two builds whose types share a name but not their members (a renamed or
/// retyped property) would otherwise exchange JSON that System.Text.Json reads without complaint, the unknown member
/// skipped and the missing one left at its default: results silently wrong.
/// </summary>
internal static partial class WorkShape
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

    /// <summary>
    /// How the silo's shape differs from the caller's, naming each member that differs (its type on each side, or the side
    /// that has it); null when they agree.
    /// </summary>
    public static string? Difference(string silo, string caller)
    {
        if (string.Equals(silo, caller, StringComparison.Ordinal))
        {
            return null;
        }

        var here = Members(silo);
        var there = Members(caller);
        var differences = new List<string>();
        foreach (var (member, type) in here)
        {
            if (!there.TryGetValue(member, out var other))
            {
                differences.Add($"{member}: {type} only on the silo");
            }
            else if (!string.Equals(type, other, StringComparison.Ordinal))
            {
                differences.Add($"{member}: {type} on the silo, {other} on the caller");
            }
        }

        differences.AddRange(there.Where(m => !here.ContainsKey(m.Key)).Select(m => $"{m.Key}: {m.Value} only on the caller"));
        return differences.Count == 0 ? null
            : string.Join("; ", differences.Take(4)) + (differences.Count > 4 ? $"; and {differences.Count - 4} more" : "");
    }

    /// <summary>
    /// Whether the silo's and the caller's names of a type are the same type name, assembly versions aside: a rebuilt work
    /// assembly with another version and the same members is the same wire shape (a rolling upgrade), but the full name of a
    /// generic type such as <c>List&lt;MyWork.Item&gt;</c> carries its arguments' assembly versions (review 48).
    /// </summary>
    public static bool SameTypeName(string silo, string caller) =>
        string.Equals(WithoutVersions(silo), WithoutVersions(caller), StringComparison.Ordinal);

    private static string WithoutVersions(string fullName) =>
        fullName.Contains(", Version=", StringComparison.Ordinal) ? AssemblyDetails().Replace(fullName, "") : fullName;

    [System.Text.RegularExpressions.GeneratedRegex(@", (?:Version|Culture|PublicKeyToken)=[^,\]]*")]
    private static partial System.Text.RegularExpressions.Regex AssemblyDetails();

    // "Type.member: MemberType" lines by "Type.member".
    private static Dictionary<string, string> Members(string shape)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in shape.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            members[colon < 0 ? line : line[..colon]] = colon < 0 ? "" : line[(colon + 2)..];
        }

        return members;
    }

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

    /// <summary>A type's name without assembly names or versions (<c>List&lt;MyWork.Item&gt;</c>): a rebuilt assembly with the same members has the same shape.</summary>
    public static string Name(Type type)
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
