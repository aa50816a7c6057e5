using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Review 72 (fresh71's generic-canon-name): a method of a generic class over reference types runs as shared code, whose
/// type the runtime names <c>Shop.Repo&lt;System.__Canon&gt;</c> (<c>Shop.Repo`1[[System.__Canon, System.Private.CoreLib]]</c>
/// in the runtime's own form): an ABBA inside <c>Repo&lt;T&gt;.Save</c> was reported at a type users never wrote. The one
/// place a type name is made readable for a frame, a holder's field or a delegate's method: the runtime's form becomes
/// C#'s (<c>Repo&lt;Orders&gt;</c> stays as it is), and each shared argument becomes the name the source gives its
/// parameter (<c>Shop.Repo&lt;T&gt;</c>, read from the module's metadata; <c>T</c>, <c>T2</c>... when it cannot be read).
/// </summary>
internal static class SourceNames
{
    private const string Canon = "System.__Canon";

    /// <summary>The name of <paramref name="type"/> as the source writes it (<c>Shop.Repo&lt;T&gt;</c>), or <c>?</c>; its
    /// module's metadata cached in <paramref name="metadata"/> (none: read for this call alone; an object's type, never shared
    /// code, needs none).</summary>
    public static string Of(ClrType? type, Dictionary<ClrModule, MetadataReader?>? metadata)
    {
        var name = type?.Name ?? "?";
        return name.Contains('`', StringComparison.Ordinal) || name.Contains(Canon, StringComparison.Ordinal)
            ? Type(name, name.Contains(Canon, StringComparison.Ordinal) ? Parameters(type!, metadata ?? []) : null)
            : name;
    }

    /// <summary>Formats a runtime type name as C# does (<c>List`1[[System.Int32, ...]]</c> as <c>List&lt;System.Int32&gt;</c>),
    /// each <c>System.__Canon</c> argument named by <paramref name="parameters"/> (the type's generic parameters, outer
    /// types' first, as metadata lists them), or <c>T</c>, <c>T2</c>... when they are not known.</summary>
    internal static string Type(string name, IReadOnlyList<string>? parameters)
    {
        var source = Angled(name);
        if (!source.Contains(Canon, StringComparison.Ordinal))
        {
            return source;
        }

        // Each top-level argument, in order across the groups of a nested generic type (Outer<A>+Inner<B>), is the next parameter.
        var text = new StringBuilder();
        var index = -1;
        var depth = 0;
        for (var i = 0; i < source.Length;)
        {
            var c = source[i];
            if (depth == 1 && source[i - 1] is '<' or ' ' or ',' && string.CompareOrdinal(source, i, Canon, 0, Canon.Length) == 0
                && (i + Canon.Length == source.Length || source[i + Canon.Length] is ',' or '>'))
            {
                text.Append(parameters is not null && index < parameters.Count ? parameters[index] : index == 0 ? "T" : $"T{index + 1}");
                i += Canon.Length;
                continue;
            }

            depth += c switch { '<' => 1, '>' => -1, _ => 0 };
            index += (c == '<' && depth == 1) || (c == ',' && depth == 1) ? 1 : 0;
            text.Append(c);
            i++;
        }

        return text.ToString();
    }

    /// <summary>The runtime's form (<c>Repo`1[[A, asm],[B, asm]]</c>) in C#'s (<c>Repo&lt;A, B&gt;</c>); a name already so is returned as is.</summary>
    private static string Angled(string name)
    {
        var open = name.IndexOf("[[", StringComparison.Ordinal);
        if (open < 0)
        {
            return StripArity(name);
        }

        var args = new List<string>();
        var depth = 0;
        var start = -1;
        var end = name.Length;
        for (var i = open; i < name.Length; i++)
        {
            switch (name[i])
            {
                case '[':
                    depth++;
                    if (depth == 2)
                    {
                        start = i + 1;
                    }

                    break;
                case ']':
                    if (depth == 2 && start >= 0)
                    {
                        args.Add(Angled(WithoutAssembly(name[start..i])));
                        start = -1;
                    }

                    depth--;
                    if (depth == 0)
                    {
                        end = i + 1;
                        i = name.Length;
                    }

                    break;
            }
        }

        // Distribute the arguments over the arity markers (Outer`1+Inner`1: one each), in order.
        var head = name[..open];
        var text = new StringBuilder();
        var next = 0;
        for (var i = 0; i < head.Length; i++)
        {
            if (head[i] == '`')
            {
                var j = i + 1;
                while (j < head.Length && char.IsAsciiDigit(head[j]))
                {
                    j++;
                }

                var arity = int.TryParse(head.AsSpan(i + 1, j - i - 1), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
                text.Append('<').AppendJoin(", ", args.Skip(next).Take(arity)).Append('>');
                next += arity;
                i = j - 1;
                continue;
            }

            text.Append(head[i]);
        }

        return text.Append(name[end..]).ToString();
    }

    /// <summary>A name with an arity marker and no arguments (a generic definition, <c>Repo`1</c>) keeps the name alone.</summary>
    private static string StripArity(string name)
    {
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : StripArity(string.Concat(name.AsSpan(0, tick), name.AsSpan(tick + 1).TrimStart("0123456789")));
    }

    private static string WithoutAssembly(string argument)
    {
        var depth = 0;
        for (var i = 0; i < argument.Length; i++)
        {
            switch (argument[i])
            {
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case ',' when depth == 0:
                    return argument[..i].Trim();
            }
        }

        return argument.Trim();
    }

    /// <summary>The generic parameters' names of <paramref name="type"/>'s definition, from its module's metadata; null when unread.</summary>
    private static List<string>? Parameters(ClrType type, Dictionary<ClrModule, MetadataReader?> metadata)
    {
        try
        {
            if (type.Module is not { } module || IlReader.ModuleMetadata(module, metadata) is not { } md || type.MetadataToken == 0
                || MetadataTokens.EntityHandle(type.MetadataToken) is not { Kind: HandleKind.TypeDefinition } handle)
            {
                return null;
            }

            var definition = md.GetTypeDefinition((TypeDefinitionHandle)handle);
            return [.. definition.GetGenericParameters().Select(p => md.GetString(md.GetGenericParameter(p).Name))];
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
