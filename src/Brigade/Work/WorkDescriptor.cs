using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Brigade;

/// <summary>
/// Describes a work type that crosses a process or machine boundary: its input and result types, how they are
/// serialized, and how a worker creates an instance. Engines that run items elsewhere (worker processes, a cluster)
/// share it, so a work type behaves the same on all of them.
/// </summary>
/// <remarks>
/// <para>A work type is a non-generic, non-abstract class with a parameterless constructor that implements exactly one
/// of <see cref="IWork{TIn, TOut}"/> or <see cref="IAsyncWork{TIn, TOut}"/>. Its inputs and results travel as JSON:
/// through the context named by <see cref="WorkSerializerAttribute"/> when there is one, otherwise through
/// reflection-based System.Text.Json with <see cref="DefaultSerializerOptions"/>.</para>
/// <para>Workers resolve a work type by its <see cref="Name"/> only among the assemblies they were started with
/// (<see cref="Find"/>); a name from the wire never loads an assembly.</para>
/// <para>Descriptors use reflection and are not meant for trimmed or native AOT applications.</para>
/// </remarks>
[RequiresUnreferencedCode("Work descriptors find interfaces, constructors and JSON metadata by reflection.")]
[RequiresDynamicCode("Work descriptors may build JSON metadata by reflection.")]
public sealed class WorkDescriptor
{
    // Descriptors of ordinary types, for the life of the process; those of types in a collectible AssemblyLoadContext
    // (plugins, scripting hosts, hot reload) in a table that holds them only as long as their type, so that the context
    // can unload (review 43: the dictionary held every such type, and so its context, for ever). Ordinary types keep the
    // dictionary's lock-free read.
    private static readonly ConcurrentDictionary<Type, WorkDescriptor> Cache = new();
    private static readonly ConditionalWeakTable<Type, WorkDescriptor> CollectibleCache = [];

    private readonly Lazy<JsonTypeInfo> _inputTypeInfo;
    private readonly Lazy<JsonTypeInfo> _outputTypeInfo;
    private readonly Type? _contextType;

    private WorkDescriptor(Type type, Type inputType, Type outputType, bool isAsync, JsonSerializerOptions options, Type? contextType)
    {
        Type = type;
        InputType = inputType;
        OutputType = outputType;
        IsAsync = isAsync;
        SerializerOptions = options;
        _contextType = contextType;
        _inputTypeInfo = new Lazy<JsonTypeInfo>(() => Resolve(InputType, "input"));
        _outputTypeInfo = new Lazy<JsonTypeInfo>(() => Resolve(OutputType, "result"));
    }

    /// <summary>Gets the serializer options used for work types without a <see cref="WorkSerializerAttribute"/>:
    /// reflection-based, public properties and fields, case-insensitive property names when reading, named floating-point
    /// literals (<c>NaN</c>, <c>Infinity</c>) allowed.</summary>
    public static JsonSerializerOptions DefaultSerializerOptions { get; } = CreateDefaultOptions();

    /// <summary>Gets the work type.</summary>
    public Type Type { get; }

    /// <summary>Gets the name that identifies the work type on the wire: its full name.</summary>
    public string Name => Type.FullName!;

    /// <summary>Gets the input item type.</summary>
    public Type InputType { get; }

    /// <summary>Gets the result type.</summary>
    public Type OutputType { get; }

    /// <summary>Gets whether the type implements <see cref="IAsyncWork{TIn, TOut}"/> rather than <see cref="IWork{TIn, TOut}"/>.</summary>
    public bool IsAsync { get; }

    /// <summary>Gets the path of the assembly file that defines the work type; empty for an assembly without a file.</summary>
    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "An empty path is the documented answer for an assembly without a file; engines that need a file report it.")]
    public string AssemblyPath => Type.Assembly.Location;

    /// <summary>Gets the serializer options for inputs and results.</summary>
    public JsonSerializerOptions SerializerOptions { get; }

    /// <summary>Gets the JSON metadata for the input type.</summary>
    /// <exception cref="NotSupportedException">The input type cannot be serialized.</exception>
    public JsonTypeInfo InputTypeInfo => _inputTypeInfo.Value;

    /// <summary>Gets the JSON metadata for the result type.</summary>
    /// <exception cref="NotSupportedException">The result type cannot be serialized.</exception>
    public JsonTypeInfo OutputTypeInfo => _outputTypeInfo.Value;

    /// <summary>Describes a work type, checking its shape.</summary>
    /// <param name="workType">The work type.</param>
    /// <returns>The descriptor (cached per type).</returns>
    /// <exception cref="ArgumentException">The type is not a work type that can be created in another process; the message says why.</exception>
    public static WorkDescriptor For(Type workType)
    {
        ArgumentNullException.ThrowIfNull(workType);
        if (Cache.TryGetValue(workType, out var cached))
        {
            return cached;
        }

        return workType.IsCollectible
            ? CollectibleCache.GetValue(workType, static type => Create(type))
            : Cache.GetOrAdd(workType, Create(workType));
    }

    /// <summary>Finds a work type by <see cref="Name"/> among the given assemblies only.</summary>
    /// <param name="name">The work type's full name.</param>
    /// <param name="assemblies">The assemblies to look in.</param>
    /// <returns>The descriptor, or <see langword="null"/> when no type of that name is defined in them.</returns>
    /// <exception cref="ArgumentException">A type of that name exists but is not a valid work type.</exception>
    public static WorkDescriptor? Find(string name, IEnumerable<Assembly> assemblies)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(assemblies);
        foreach (var assembly in assemblies)
        {
            // Generic names would let the wire name type arguments from any assembly: they are never looked up.
            if (name.Contains('[', StringComparison.Ordinal))
            {
                return null;
            }

            if (assembly.GetType(name, throwOnError: false, ignoreCase: false) is { } type)
            {
                return For(type);
            }
        }

        return null;
    }

    /// <summary>Checks that inputs and results can make the round trip through JSON; reports every problem at once.</summary>
    /// <exception cref="NotSupportedException">A type cannot be serialized or deserialized; the message lists why.</exception>
    public void EnsureSerializable()
    {
        var problems = new List<string>();
        Check(InputType, "input", problems);
        Check(OutputType, "result", problems);
        if (problems.Count > 0)
        {
            throw new NotSupportedException(
                $"Work type {Name} cannot cross a process boundary: {string.Join("; ", problems)}. " +
                "Inputs and results travel as System.Text.Json: use concrete types with public properties (or fields) and a usable constructor.");
        }
    }

    /// <summary>Creates an instance with the parameterless constructor.</summary>
    /// <returns>The instance.</returns>
    public object CreateInstance() => Activator.CreateInstance(Type, nonPublic: true)!;

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({(IsAsync ? "IAsyncWork" : "IWork")}<{InputType.Name}, {OutputType.Name}>)";

    private static WorkDescriptor Create(Type type)
    {
        var name = type.FullName ?? type.Name;
        if (type.IsInterface || type.IsAbstract || !type.IsClass)
        {
            throw new ArgumentException($"Work type {name} must be a non-abstract class.");
        }

        // What the type is (a work type at all) before how it is built, so that the message names the real problem.
        var interfaces = type.GetInterfaces()
            .Where(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IWork<,>) || i.GetGenericTypeDefinition() == typeof(IAsyncWork<,>)))
            .ToList();
        if (interfaces.Count != 1)
        {
            throw new ArgumentException(
                interfaces.Count == 0
                    ? $"Type {name} implements neither IWork<TIn, TOut> nor IAsyncWork<TIn, TOut>."
                    : $"Work type {name} implements {interfaces.Count} work interfaces ({string.Join(", ", interfaces.Select(i => i.Name))}): a worker would not know which to run. Split it into one type per interface.");
        }

        if (type.ContainsGenericParameters || type.IsGenericType)
        {
            throw new ArgumentException($"Work type {name} is generic: workers look work types up by name and never build generic types from the wire. Derive a non-generic class.");
        }

        if (type.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes) is null)
        {
            throw new ArgumentException(
                $"Work type {name} has no parameterless constructor, and each worker creates its own instance with one: add a parameterless " +
                "constructor (public or private) and take what the constructor took from the input or from settings the worker can read, or run it on an in-process engine.");
        }

        var args = interfaces[0].GetGenericArguments();
        var isAsync = interfaces[0].GetGenericTypeDefinition() == typeof(IAsyncWork<,>);
        var contextType = type.GetCustomAttribute<WorkSerializerAttribute>()?.ContextType;
        var options = contextType is null ? DefaultOptionsFor(type) : ContextOptions(name, contextType);
        return new WorkDescriptor(type, args[0], args[1], isAsync, options, contextType);
    }

    private static JsonSerializerOptions ContextOptions(string workName, Type contextType)
    {
        if (!typeof(JsonSerializerContext).IsAssignableFrom(contextType) || contextType.IsAbstract)
        {
            throw new ArgumentException($"[WorkSerializer] on {workName} names {contextType.FullName}, which is not a JsonSerializerContext.", nameof(contextType));
        }

        var context = contextType.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as JsonSerializerContext
            ?? (contextType.GetConstructor(Type.EmptyTypes) is not null ? (JsonSerializerContext)Activator.CreateInstance(contextType)! : null)
            ?? throw new ArgumentException($"[WorkSerializer] on {workName}: {contextType.FullName} has neither a static Default property nor a parameterless constructor.", nameof(contextType));
        return context.Options;
    }

    // The default options cache the metadata of every type they serialize, for the life of the process: a collectible
    // work type gets options of its own, with a resolver of its own (options with equal settings and the same resolver
    // share one cache), which go when its descriptor goes.
    internal static JsonSerializerOptions DefaultOptionsFor(Type type)
    {
        if (!type.IsCollectible)
        {
            return DefaultSerializerOptions;
        }

        var options = new JsonSerializerOptions(DefaultSerializerOptions) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.MakeReadOnly();
        return options;
    }

    private static JsonSerializerOptions CreateDefaultOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            IncludeFields = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,

            // Inputs often come from people's files (JSON Lines, CSV headers) where "name" means Name.
            PropertyNameCaseInsensitive = true,
            TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
        };
        options.MakeReadOnly();
        return options;
    }

    private JsonTypeInfo Resolve(Type type, string role)
    {
        try
        {
            return SerializerOptions.GetTypeInfo(type);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            var hint = _contextType is not null
                ? $" Add [JsonSerializable(typeof({type.Name}))] to {_contextType.Name}."
                : "";
            throw new NotSupportedException($"The {role} type {type.FullName} of work type {Name} cannot be serialized: {e.Message}{hint}", e);
        }
    }

    private void Check(Type root, string role, List<string> problems)
    {
        JsonTypeInfo info;
        try
        {
            info = role == "input" ? InputTypeInfo : OutputTypeInfo;
        }
        catch (NotSupportedException e)
        {
            problems.Add(e.Message);
            return;
        }

        var seen = new HashSet<Type>();
        var pending = new Stack<(JsonTypeInfo Info, string Path)>();
        pending.Push((info, $"{role} {Describe(root)}"));
        while (pending.Count > 0)
        {
            var (current, path) = pending.Pop();
            var type = current.Type;
            if (!seen.Add(type))
            {
                continue;
            }

            if (IsUnsupported(type))
            {
                problems.Add(type == root ? $"{path} is a type System.Text.Json cannot serialize" : $"{path} is {Describe(type)}, which System.Text.Json cannot serialize");
                continue;
            }

            if (type == typeof(object) && type == root && current.PolymorphismOptions is null)
            {
                problems.Add($"{path} is object: values would not come back as their real type (they would arrive as JsonElement); use a concrete type");
                continue;
            }

            switch (current.Kind)
            {
                case JsonTypeInfoKind.Object:
                    if ((type == typeof(object) || type.IsAbstract || type.IsInterface) && current.PolymorphismOptions is null)
                    {
                        problems.Add($"{path} is {(type == typeof(object) ? "object" : "abstract")}: values would not come back as their real type (declare [JsonDerivedType] or use a concrete type)");
                        continue;
                    }

                    var found = problems.Count;
                    if (!type.IsValueType && current.CreateObject is null && current.ConstructorAttributeProvider is null && current.PolymorphismOptions is null)
                    {
                        problems.Add($"{path} ({Describe(type)}) has no parameterless or [JsonConstructor] constructor, so it cannot be deserialized");
                    }

                    if (UnboundParameter(current) is { } unbound)
                    {
                        problems.Add($"{path} ({Describe(type)}) has a constructor parameter '{unbound}' that matches no public property or field by name, so System.Text.Json cannot deserialize it (name a property after it, or add a parameterless constructor)");
                    }

                    if (current.Properties.Count == 0 && HasInstanceState(type))
                    {
                        problems.Add($"{path} ({Describe(type)}) has no public properties or fields to serialize: its values would arrive empty");
                    }

                    foreach (var property in current.Properties)
                    {
                        if (NotReadBack(property) is { } lost)
                        {
                            problems.Add($"{path}.{property.Name} {lost}");
                        }

                        Push(pending, property.PropertyType, $"{path}.{property.Name}", problems);
                    }

                    // Only read-only properties, the state in private fields (System.Numerics.BigInteger: Sign, IsZero, ...
                    // written, nothing read back): every value came back as the default, reported as a success (lib57).
                    // Said only when nothing above already named why.
                    if (problems.Count == found && current.Properties.Count > 0 && HasInstanceState(type)
                        && !current.Properties.Any(static p => p.Set is not null || p.AssociatedParameter is not null))
                    {
                        problems.Add($"{path} ({Describe(type)}) has only read-only properties ({string.Join(", ", current.Properties.Take(3).Select(static p => p.Name))}{(current.Properties.Count > 3 ? ", ..." : "")}) and keeps its state in non-public fields, which System.Text.Json does not read back: every value would arrive as the default (carry it as a type that round-trips, such as its string, or give [WorkSerializer] a converter for it)");
                    }

                    break;
                case JsonTypeInfoKind.Enumerable when current.ElementType is { } element:
                    Push(pending, element, $"{path}[]", problems);
                    break;
                case JsonTypeInfoKind.Dictionary:
                    if (current.KeyType is { } key)
                    {
                        Push(pending, key, $"{path} key", problems);
                    }

                    if (current.ElementType is { } value)
                    {
                        Push(pending, value, $"{path}[]", problems);
                    }

                    break;
                default:
                    break;
            }
        }
    }

    private void Push(Stack<(JsonTypeInfo Info, string Path)> pending, Type type, string path, List<string> problems)
    {
        if (IsUnsupported(type))
        {
            problems.Add($"{path} is {Describe(type)}, which System.Text.Json cannot serialize");
            return;
        }

        try
        {
            pending.Push((SerializerOptions.GetTypeInfo(type), path));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            problems.Add($"{path} ({Describe(type)}) cannot be serialized: {e.Message}");
        }
    }

    // Written but never read back (review 45): System.Text.Json serializes a property whose setter is not public, or a
    // readonly field, and on the other side leaves it at its default without a word, unless a constructor parameter takes
    // it or [JsonInclude] opens the setter. A record with `{ get; private set; }` crossed to a worker and back as zeros
    // and nulls, reported as a success. A property with no setter at all is left alone: most are computed.
    private static string? NotReadBack(JsonPropertyInfo property)
    {
        if (property.Get is null || property.Set is not null || property.AssociatedParameter is not null)
        {
            return null;
        }

        const string Fix = "make it public or init, mark it [JsonInclude], or take it as a constructor parameter";
        return property.AttributeProvider switch
        {
            PropertyInfo { SetMethod: { IsPublic: false } } => $"has a setter that is not public, which System.Text.Json does not call: its value would arrive as the default ({Fix})",
            FieldInfo { IsInitOnly: true } => $"is a readonly field that no constructor parameter takes: its value would arrive as the default ({Fix})",
            _ => null,
        };
    }

    // A constructor System.Text.Json deserializes through binds each parameter to a property of the same name; one that
    // binds to none fails every item on the other side (review 45: CtorMismatch(int seed) with a property Value failed
    // each item in the worker, "Each parameter in the deserialization constructor ... must bind"): said before the run.
    private static string? UnboundParameter(JsonTypeInfo info)
    {
        if (info.CreateObject is not null || info.ConstructorAttributeProvider is not ConstructorInfo constructor)
        {
            return null;
        }

        var bound = info.Properties.Where(static p => p.AssociatedParameter is not null).Select(static p => p.AssociatedParameter!.Position).ToHashSet();
        return constructor.GetParameters().FirstOrDefault(p => !bound.Contains(p.Position))?.Name;
    }

    private static bool IsUnsupported(Type type) =>
        typeof(MemberInfo).IsAssignableFrom(type) ||
        typeof(Delegate).IsAssignableFrom(type) ||
        type == typeof(IntPtr) || type == typeof(UIntPtr) ||
        type == typeof(SerializationInfo) ||
        type.IsPointer || type.IsByRefLike ||
        typeof(Task).IsAssignableFrom(type) ||
        (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>)) || type == typeof(ValueTask) ||
        type == typeof(CancellationToken);

    private static bool HasInstanceState(Type type) =>
        type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Length > 0;

    // C#'s spelling, not the runtime's (lib54: System.Func`1[[System.Int32, System.Private.CoreLib, Version=10.0.0.0,
    // Culture=neutral, PublicKeyToken=...]], twice in one sentence): System.Func<System.Int32>.
    private static string Describe(Type type)
    {
        if (type.IsArray)
        {
            return Describe(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (!type.IsGenericType)
        {
            return type.FullName ?? type.Name;
        }

        var name = type.GetGenericTypeDefinition().FullName ?? type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick < 0 ? name : name[..tick]) + "<" + string.Join(", ", type.GetGenericArguments().Select(Describe)) + ">";
    }
}
