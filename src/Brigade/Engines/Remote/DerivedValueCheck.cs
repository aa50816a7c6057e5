using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Brigade.Engines.Remote;

/// <summary>
/// Finds a value, anywhere inside a result, whose runtime type is derived from the type it is declared as and has members
/// that type lacks: System.Text.Json writes a declared type's members only, so such a value arrives as a plain instance of
/// the declared type, its own members gone. Review 58 refused that for the result itself (<c>Circle</c> returned as
/// <c>Shape</c>); review 59 found the same loss one level down and more (a <c>List&lt;Shape&gt;</c> holding a
/// <c>Circle</c>, a record with a <c>Shape</c> property, a dictionary's values), reported as a success.
/// </summary>
/// <remarks>
/// <para>Built once per result type from the serializer's own metadata (the contract it writes with: properties, their
/// declared types, collections' element types), so what it walks is what would be written. A slot can lose members when
/// its declared type is a class that is not sealed (or an interface), written as an object by the default converter,
/// with no <c>[JsonDerivedType]</c> (polymorphism options), and not <see cref="object"/> (written as the runtime
/// type). Types whose graph holds no such slot get no check at all (<see cref="For"/> returns <see langword="null"/>),
/// so records of numbers and strings, lists of them and primitives pay nothing per value.</para>
/// <para>Only the branches that can reach such a slot are walked; a property with a converter of its own is not (the
/// converter decides what is written). Walks stop at the options' maximum depth, where the serializer would fail anyway.
/// Not thread-safe: one per codec, as the codec.</para>
/// </remarks>
internal sealed class DerivedValueCheck
{
    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<Type, Node?> _nodes = [];
    private readonly Dictionary<(Type Declared, Type Runtime), string?> _lost = [];
    private readonly List<string> _path = [];
    private readonly int _maxDepth;
    private readonly Node _root;

    private DerivedValueCheck(JsonSerializerOptions options, Node root)
    {
        _options = options;
        _root = root;
        _maxDepth = options.MaxDepth > 0 ? options.MaxDepth : 64;
    }

    /// <summary>Builds the check for values written with <paramref name="wire"/>; <see langword="null"/> when no value
    /// inside them can be of a derived type that loses members.</summary>
    /// <param name="wire">The metadata the values are written with.</param>
    /// <param name="includeRoot">Whether the value itself is checked too (the codec checks it on its own, with its own message).</param>
    public static DerivedValueCheck? For(JsonTypeInfo wire, bool includeRoot)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var builder = new Builder(wire.Options);
        var root = builder.NodeFor(wire);
        if (root is null)
        {
            return null;
        }

        builder.Prune();
        if (!root.Reaches || (!includeRoot && !root.HasLossyChild))
        {
            return null;
        }

        var check = new DerivedValueCheck(wire.Options, root);
        foreach (var (type, node) in builder.Nodes)
        {
            check._nodes[type] = node;
        }

        check._includeRoot = includeRoot;
        return check;
    }

    private bool _includeRoot;

    // Options that refuse a lossy derived value as they write it, per options the values are written with: built once, as
    // the options' own metadata is (a weak table: a collectible work type's options go with it).
    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> GuardedOptions = new();

    /// <summary>Gets whether values written with <paramref name="wire"/> can hold a derived value this walk may not see: one
    /// behind an <c>object</c> member (written as its runtime type, whose own slots may lose members) or in a lazy sequence
    /// (walking it would run it twice), or anywhere a derivable slot is reached (a lazy sequence can sit in any of them).</summary>
    public static bool NeedsGuard(JsonTypeInfo wire)
    {
        ArgumentNullException.ThrowIfNull(wire);
        var builder = new Builder(wire.Options);
        var root = builder.NodeFor(wire);
        if (builder.SawObject)
        {
            return true;
        }

        builder.Prune();
        return root is { Reaches: true };
    }

    /// <summary>
    /// Options like <paramref name="options"/> whose metadata refuses, as the serializer writes it, a value of a derived type
    /// that would lose members: the walk above cannot see one behind an <c>object</c> member or in a lazy sequence
    /// (<c>IEnumerable&lt;Shape&gt;</c> from <c>yield</c>, which would run twice), and such a value arrived as a plain
    /// <c>Shape</c>, reported as a success (review 60). The serializer's own message adds the value's path.
    /// </summary>
    public static JsonSerializerOptions Guarded(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return GuardedOptions.GetValue(options, static o => o.TypeInfoResolver is { } resolver
            ? new JsonSerializerOptions(o) { TypeInfoResolver = resolver.WithAddedModifier(Guard) }
            : o);
    }

    private static void Guard(JsonTypeInfo info)
    {
        if (!IsDerivable(info))
        {
            return;
        }

        var lost = new ConcurrentDictionary<Type, string?>();
        var previous = info.OnSerializing;
        info.OnSerializing = value =>
        {
            previous?.Invoke(value);
            var runtime = value.GetType();
            if (runtime != info.Type && lost.GetOrAdd(runtime, r => LostMembers(info, r)) is { } members)
            {
                var declared = info.Type.Name;
                throw new NotSupportedException(
                    $"A value inside the result is a {runtime.Name}, but it travels as {declared}, its declared type: System.Text.Json writes only " +
                    $"{declared}'s members, so {members} would be lost and it would arrive as a plain {declared}. " +
                    $"Declare it as {runtime.Name}, or mark {declared} [JsonDerivedType(typeof({runtime.Name}), \"{runtime.Name}\")].");
            }
        };
    }

    /// <summary>Says what <paramref name="value"/> would lose, and where, or <see langword="null"/> when nothing.</summary>
    public string? Find(object? value)
    {
        if (value is null)
        {
            return null;
        }

        _path.Clear();
        return Walk(_root, value, 0, checkSelf: _includeRoot);
    }

    private string? Walk(Node node, object value, int depth, bool checkSelf)
    {
        if (depth > _maxDepth)
        {
            return null;
        }

        if (checkSelf && node.Derivable && value.GetType() != node.Type && Loses(node.Info, value.GetType()) is { } lost)
        {
            return Describe(node.Info, value.GetType(), lost);
        }

        switch (node.Info.Kind)
        {
            case JsonTypeInfoKind.Object:
                foreach (var child in node.Children!)
                {
                    if (child.Property.Get is not { } get || get(value) is not { } member)
                    {
                        continue;
                    }

                    _path.Add("." + child.Property.Name);
                    if (Walk(child.Node, member, depth + 1, checkSelf: true) is { } found)
                    {
                        return found;
                    }

                    _path.RemoveAt(_path.Count - 1);
                }

                return null;
            case JsonTypeInfoKind.Dictionary when value is IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Value is null)
                    {
                        continue;
                    }

                    _path.Add("." + entry.Key);
                    if (node.Element is { } element && Walk(element, entry.Value, depth + 1, checkSelf: true) is { } found)
                    {
                        return found;
                    }

                    _path.RemoveAt(_path.Count - 1);
                }

                return null;
            // Only collections that hold their items (arrays, lists, sets): a lazy sequence would run twice, here and when written.
            case JsonTypeInfoKind.Enumerable when value is ICollection or IReadOnlyCollection<object>:
                var items = (IEnumerable)value;
                var i = 0;
                foreach (var item in items)
                {
                    if (item is not null)
                    {
                        _path.Add("[" + i + "]");
                        if (node.Element is { } element && Walk(element, item, depth + 1, checkSelf: true) is { } found)
                        {
                            return found;
                        }

                        _path.RemoveAt(_path.Count - 1);
                    }

                    i++;
                }

                return null;
            default:
                return null;
        }
    }

    private string Describe(JsonTypeInfo declared, Type runtime, string lost)
    {
        var declaredName = declared.Type.Name;
        var where = _path.Count == 0 ? "$" : "$" + string.Concat(_path);
        return $"The value at {where} is a {runtime.Name}, but it travels as {declaredName}, its declared type: System.Text.Json writes only " +
            $"{declaredName}'s members, so {lost} would be lost and it would arrive as a plain {declaredName}. " +
            $"Declare it as {runtime.Name}, or mark {declaredName} [JsonDerivedType(typeof({runtime.Name}), \"{runtime.Name}\")].";
    }

    /// <summary>The members a <paramref name="runtime"/> value would lose as <paramref name="declared"/> (at most four
    /// named), or <see langword="null"/>.</summary>
    private string? Loses(JsonTypeInfo declared, Type runtime)
    {
        if (_lost.TryGetValue((declared.Type, runtime), out var known))
        {
            return known;
        }

        var lost = LostMembers(declared, runtime);
        _lost[(declared.Type, runtime)] = lost;
        return lost;
    }

    /// <summary>The members a value of <paramref name="runtime"/> would lose written as <paramref name="declared"/> (at
    /// most four named, then "..."), or <see langword="null"/> when it loses none or the options have no metadata for it.</summary>
    internal static string? LostMembers(JsonTypeInfo declared, Type runtime)
    {
        try
        {
            if (declared.Options.TryGetTypeInfo(runtime, out var info) && info.Kind == JsonTypeInfoKind.Object)
            {
                var names = declared.Properties.Select(static p => p.Name).ToHashSet(StringComparer.Ordinal);
                var missing = info.Properties.Select(static p => p.Name).Where(n => !names.Contains(n)).ToList();
                if (missing.Count > 0)
                {
                    return string.Join(", ", missing.Take(4)) + (missing.Count > 4 ? ", ..." : "");
                }
            }
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // No metadata for the derived type: nothing to compare, the value goes as before.
        }

        return null;
    }

    /// <summary>Gets whether values declared as <paramref name="info"/>'s type can be of a derived type written as it.</summary>
    internal static bool IsDerivable(JsonTypeInfo info) =>
        info.Kind == JsonTypeInfoKind.Object && !info.Type.IsValueType && !info.Type.IsSealed && info.Type != typeof(object) && info.PolymorphismOptions is null;

    private sealed class Node(JsonTypeInfo info)
    {
        public JsonTypeInfo Info { get; } = info;

        public Type Type => Info.Type;

        public bool Derivable { get; } = IsDerivable(info);

        // Object: the properties worth walking; Enumerable and Dictionary: the elements' (values') node.
        public List<(JsonPropertyInfo Property, Node Node)>? Children { get; set; }

        public Node? Element { get; set; }

        // Whether a derivable slot can be reached from here, this node included.
        public bool Reaches { get; set; }

        // Whether one strictly below can.
        public bool HasLossyChild { get; set; }
    }

    private sealed class Builder(JsonSerializerOptions options)
    {
        public Dictionary<Type, Node?> Nodes { get; } = [];

        // Whether an object slot was met: anything can be written there, as its runtime type.
        public bool SawObject { get; private set; }

        public Node? NodeFor(JsonTypeInfo info)
        {
            if (Nodes.TryGetValue(info.Type, out var known))
            {
                return known;
            }

            SawObject |= info.Type == typeof(object);
            if (info.Kind is not (JsonTypeInfoKind.Object or JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary) || info.Type == typeof(object))
            {
                Nodes[info.Type] = null;
                return null;
            }

            var node = new Node(info);
            Nodes[info.Type] = node;
            if (info.Kind == JsonTypeInfoKind.Object)
            {
                node.Children = [];
                foreach (var property in info.Properties)
                {
                    if (property.CustomConverter is not null || property.Get is null || Resolve(property.PropertyType) is not { } child)
                    {
                        continue;
                    }

                    node.Children.Add((property, child));
                }
            }
            else if (info.ElementType is { } element)
            {
                node.Element = Resolve(element);
            }

            return node;
        }

        private Node? Resolve(Type type)
        {
            if (Nodes.TryGetValue(type, out var known))
            {
                return known;
            }

            try
            {
                return options.TryGetTypeInfo(type, out var info) ? NodeFor(info) : Remember(type);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                return Remember(type);
            }
        }

        private Node? Remember(Type type)
        {
            Nodes[type] = null;
            return null;
        }

        /// <summary>Marks what reaches a derivable slot (to a fixed point: type graphs can be cyclic) and drops the
        /// branches that reach none.</summary>
        public void Prune()
        {
            var nodes = Nodes.Values.OfType<Node>().ToList();
            foreach (var node in nodes)
            {
                node.Reaches = node.Derivable;
            }

            for (var changed = true; changed;)
            {
                changed = false;
                foreach (var node in nodes)
                {
                    var below = node.Children?.Exists(static c => c.Node.Reaches) == true || node.Element?.Reaches == true;
                    if (below && !node.HasLossyChild)
                    {
                        node.HasLossyChild = true;
                        changed = true;
                    }

                    if (below && !node.Reaches)
                    {
                        node.Reaches = true;
                        changed = true;
                    }
                }
            }

            foreach (var node in nodes)
            {
                node.Children?.RemoveAll(static c => !c.Node.Reaches);
                if (node.Element is { Reaches: false })
                {
                    node.Element = null;
                }
            }
        }
    }
}
