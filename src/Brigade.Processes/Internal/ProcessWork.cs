using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Brigade.Engines.Remote;

namespace Brigade.Processes.Internal;

/// <summary>
/// What the engine's side of a run needs to know of a work type: the name a worker looks it up by, the types its values
/// travel as (the work's own, which may differ from the run's by variance), their JSON metadata, and which pool its
/// workers come from. Built two ways: by reflection over the work type (<see cref="WorkDescriptor"/>) for the worker
/// host that ships with Brigade.Processes, which loads the type's assembly file; and without reflection over its members
/// for a worker executable of the application's own (a <c>WorkerCatalog</c>), which already has the type compiled in,
/// so that an application published NativeAOT or trimmed can run the engine too.
/// </summary>
internal sealed class ProcessWork
{
    private readonly Lazy<JsonTypeInfo> _inputTypeInfo;
    private readonly Lazy<JsonTypeInfo> _outputTypeInfo;

    private ProcessWork(string name, Type type, Type inputType, Type outputType, string poolKey, Func<JsonTypeInfo> input, Func<JsonTypeInfo> output)
    {
        Name = name;
        Type = type;
        InputType = inputType;
        OutputType = outputType;
        PoolKey = poolKey;
        _inputTypeInfo = new Lazy<JsonTypeInfo>(input);
        _outputTypeInfo = new Lazy<JsonTypeInfo>(output);
    }

    /// <summary>Gets the work type's full name, as the worker looks it up.</summary>
    public string Name { get; }

    /// <summary>Gets the work type.</summary>
    public Type Type { get; }

    /// <summary>Gets the work's own input type (the type items travel as).</summary>
    public Type InputType { get; }

    /// <summary>Gets the work's own result type (the type results travel as).</summary>
    public Type OutputType { get; }

    /// <summary>Gets what the pool keys idle workers by: the assembly file a shipped worker loads, or the worker executable's path (it runs every type of its catalog).</summary>
    public string PoolKey { get; }

    /// <summary>Gets the metadata of <see cref="InputType"/> (resolved when first asked for).</summary>
    public JsonTypeInfo InputTypeInfo => _inputTypeInfo.Value;

    /// <summary>Gets the metadata of <see cref="OutputType"/> (resolved when first asked for).</summary>
    public JsonTypeInfo OutputTypeInfo => _outputTypeInfo.Value;

    /// <summary>Describes a work type for the shipped worker host, by reflection, checking its shape and that its values can cross.</summary>
    /// <exception cref="ArgumentException">The type is not a work type, has no assembly file, or its types do not fit the run's.</exception>
    /// <exception cref="NotSupportedException">An input or result type cannot be serialized.</exception>
    [RequiresUnreferencedCode("Work descriptors find interfaces, constructors and JSON metadata by reflection.")]
    [RequiresDynamicCode("Work descriptors may build JSON metadata by reflection.")]
    public static ProcessWork ForWorkerHost(Type workType)
    {
        var descriptor = WorkDescriptor.For(workType);
        if (string.IsNullOrEmpty(descriptor.AssemblyPath))
        {
            throw new ArgumentException(
                $"Work type {descriptor.Name} is defined in an assembly without a file (dynamic, loaded from bytes, or compiled into a single-file or NativeAOT " +
                "application): the worker host that ships with Brigade.Processes only loads work types from assembly files. Build a worker executable with " +
                "the type compiled in (NativeWorkerHost, package Brigade.Processes.NativeWorker) and set ProcessEngineOptions.WorkerPath to it.",
                nameof(workType));
        }

        return new ProcessWork(descriptor.Name, descriptor.Type, descriptor.InputType, descriptor.OutputType, descriptor.AssemblyPath, () => descriptor.InputTypeInfo, () => descriptor.OutputTypeInfo)
        {
            Descriptor = descriptor,
        };
    }

    /// <summary>
    /// Describes a work type for a worker executable of the application's own, which finds the type in its catalog:
    /// nothing of the type is read by reflection but its interfaces (which a type the run holds an instance of keeps) and
    /// its <see cref="WorkSerializerAttribute"/>. The metadata of values that travel as JSON comes from that attribute's
    /// context, from the built-in metadata of strings, decimals, dates and the like, or, where the runtime can build code,
    /// from <see cref="WorkDescriptor.DefaultSerializerOptions"/>.
    /// </summary>
    /// <param name="workType">The work type of the run.</param>
    /// <param name="workerPath">The worker executable: the pool key.</param>
    /// <typeparam name="TIn">The run's input type.</typeparam>
    /// <typeparam name="TOut">The run's result type.</typeparam>
    /// <exception cref="ArgumentException">The type is not a work type, is generic, or its types do not fit the run's.</exception>
    /// <exception cref="NotSupportedException">An input or result type needs JSON metadata this application cannot build.</exception>
    public static ProcessWork ForExecutable<TIn, TOut>(Type workType, string workerPath)
    {
        var name = workType.FullName ?? workType.Name;
        var (input, output) = WorkInterface(workType);
        var context = workType.GetCustomAttribute<WorkSerializerAttribute>()?.ContextType;
        var work = new ProcessWork(name, workType, input, output, workerPath, () => Metadata(name, context, input, "input"), () => Metadata(name, context, output, "result"));
        // What travels as JSON has its metadata resolved now, so that a type that cannot is reported before any item runs.
        var inputRaw = RemoteValueCodec<TIn>.TravelsRaw(input);
        var outputRaw = RemoteValueCodec<TOut>.TravelsRaw(output);
        if (!inputRaw)
        {
            _ = work.InputTypeInfo;
        }

        if (!outputRaw)
        {
            _ = work.OutputTypeInfo;
        }

        // Where reflection can be used, the same checks as the shipped worker host's: values that would arrive empty or as
        // JsonElement are refused before any item runs. Not for primitive numbers both ways: they never meet JSON, and the
        // checks (JSON metadata built by reflection) were a quarter of a JIT-compiled application's first pool. Strings, raw
        // since review 66, keep the checks they had (their metadata is built in, so only the work type's constructor's).
        var rawBothWays = inputRaw && outputRaw && !RemoteValueCodec<TIn>.IsText() && !RemoteValueCodec<TOut>.IsText();
        if (!rawBothWays && CanReflect)
        {
            EnsureSerializableByReflection<TIn, TOut>(workType, ChecksJsonByReflection(input, output));
        }

        return work;
    }

    /// <summary>Gets the reflection descriptor, for the shipped worker host's checks; <see langword="null"/> for a worker executable.</summary>
    public WorkDescriptor? Descriptor { get; private init; }

    /// <summary>Checks that the work's types fit the run's (C#'s variance for <see cref="IWork{TIn, TOut}"/>, as <see cref="WorkTypeCheck"/>).</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public void EnsureFits<TIn, TOut>()
    {
        if (!InputType.IsAssignableFrom(typeof(TIn)) || !typeof(TOut).IsAssignableFrom(OutputType))
        {
            throw new ArgumentException(
                $"Work type {Name} maps {InputType.Name} to {OutputType.Name}, but the run maps {typeof(TIn).Name} to {typeof(TOut).Name}: " +
                $"the work's input type must accept every {typeof(TIn).Name} and its result must be a {typeof(TOut).Name}.");
        }
    }

    /// <summary>Gets whether this application can build JSON metadata and describe work types by reflection: not when it
    /// is compiled ahead of time (NativeAOT), nor when it is trimmed (JSON reflection is then off by default).</summary>
    public static bool CanReflect => RuntimeFeature.IsDynamicCodeSupported && JsonSerializer.IsReflectionEnabledByDefault;

    /// <summary>Checks that a type is a work type a worker executable can be asked for: a non-generic, non-abstract class
    /// with exactly one work interface. Nothing but its interfaces is read.</summary>
    /// <exception cref="ArgumentException">It is not.</exception>
    public static void EnsureWorkType(Type workType) => _ = WorkInterface(workType);

    // The work's own IWork<,>/IAsyncWork<,> arguments, checking the type's shape on the way. A type the run holds an
    // instance of keeps its interface list in a trimmed or NativeAOT application (casts read it).
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "The work type is constructed (the run holds an instance), so its implemented interfaces are kept: casts to them read the same list.")]
    private static (Type Input, Type Output) WorkInterface(Type workType)
    {
        var name = workType.FullName ?? workType.Name;
        if (workType.IsInterface || workType.IsAbstract || !workType.IsClass)
        {
            throw new ArgumentException($"Work type {name} must be a non-abstract class.", nameof(workType));
        }

        if (workType.IsGenericType || workType.ContainsGenericParameters)
        {
            throw new ArgumentException($"Work type {name} is generic: workers look work types up by name and never build generic types from the wire. Derive a non-generic class.", nameof(workType));
        }

        var found = new List<Type>();
        foreach (var candidate in workType.GetInterfaces())
        {
            if (candidate.IsGenericType && (candidate.GetGenericTypeDefinition() == typeof(IWork<,>) || candidate.GetGenericTypeDefinition() == typeof(IAsyncWork<,>)))
            {
                found.Add(candidate);
            }
        }

        if (found.Count > 1)
        {
            throw new ArgumentException(
                $"Work type {workType.FullName} implements {found.Count} work interfaces ({string.Join(", ", found.Select(i => i.Name))}): a worker would not know which to run. Split it into one type per interface.",
                nameof(workType));
        }

        if (found.Count == 0)
        {
            throw new ArgumentException($"Type {name} implements neither IWork<TIn, TOut> nor IAsyncWork<TIn, TOut>.", nameof(workType));
        }

        var arguments = found[0].GetGenericArguments();
        return (arguments[0], arguments[1]);
    }

    private static JsonTypeInfo Metadata(string workName, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type? context, Type type, string role)
    {
        try
        {
            if (context is not null)
            {
                return FromContext(workName, context).GetTypeInfo(type)
                    ?? throw new NotSupportedException($"{context.Name}, named by its [WorkSerializer], has no metadata for it: add [JsonSerializable(typeof({CSharpName(type)}))] to {context.Name}.");
            }

            if (BuiltInJson.Default.GetTypeInfo(type) is { } builtIn)
            {
                return builtIn;
            }

            if (CanReflect)
            {
                return ByReflection(type);
            }
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new NotSupportedException($"The {role} type {type.FullName} of work type {workName} cannot be serialized: {e.Message}", e);
        }

        throw new NotSupportedException(
            $"The {role} type {CSharpName(type)} of work type {workName} travels as JSON, and this application (NativeAOT or trimmed) cannot build its metadata by reflection: " +
            $"name a source-generated context in [WorkSerializer(typeof(MyJson))] on the work type, with [JsonSerializable(typeof({CSharpName(type)}))], " +
            "and pass the same context's metadata to the worker's catalog.");
    }

    private static JsonSerializerContext FromContext(string workName, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type context)
    {
        var instance = context.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as JsonSerializerContext
            ?? (context.GetConstructor(Type.EmptyTypes) is not null && typeof(JsonSerializerContext).IsAssignableFrom(context) ? Activator.CreateInstance(context) as JsonSerializerContext : null)
            ?? throw new ArgumentException($"[WorkSerializer] on {workName}: {context.FullName} is not a JsonSerializerContext with a static Default property or a parameterless constructor.");
        return instance;
    }

    // Only where CanReflect (the caller checks): a JIT-compiled, untrimmed host, whose worker executable's catalog was
    // given metadata of these options (the catalog refuses a naming policy with case-sensitive reading, and metadata that
    // leaves out public fields).
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where CanReflect: not in a trimmed application (JsonSerializer.IsReflectionEnabledByDefault is off there by default), which must name a source-generated context.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by RuntimeFeature.IsDynamicCodeSupported (CanReflect).")]
    // A collectible type's metadata in options of its own (WorkDescriptor.DefaultOptionsFor), so that its context can unload.
    private static JsonTypeInfo ByReflection(Type type) => WorkDescriptor.DefaultOptionsFor(type).GetTypeInfo(type);

    // The shipped host's checks (WorkTypeCheck.Ensure: the variance rule, then every type reachable from the values can
    // make the round trip), only where CanReflect.
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Reached only where CanReflect (see ByReflection).")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Reached only where CanReflect (see ByReflection).")]
    private static void EnsureSerializableByReflection<TIn, TOut>(Type workType, bool json)
    {
        var descriptor = WorkDescriptor.For(workType);
        if (json)
        {
            WorkTypeCheck.Ensure<TIn, TOut>(descriptor);
        }
        else
        {
            WorkTypeCheck.EnsureFits<TIn, TOut>(descriptor);
        }
    }

    /// <summary>Gets whether the shipped host's JSON checks have anything to say of a work's values: not when both types'
    /// metadata is built in (<see cref="BuiltInJson"/>: strings, numbers, dates), which always pass them. Building the
    /// reflection metadata only to say so loaded System.Text.Json's reflection and emit: ~100 methods JIT-compiled in a
    /// JIT-compiled application's first pool of a <c>string</c> work. The work type's own shape (its constructor) is still
    /// checked.</summary>
    /// <param name="input">The work's input type.</param>
    /// <param name="output">The work's result type.</param>
    /// <returns><see langword="false"/> when both are built in.</returns>
    internal static bool ChecksJsonByReflection(Type input, Type output) => !(BuiltInJson.Has(input) && BuiltInJson.Has(output));

    // A type as C# spells it, for messages that tell what to write: int?, List<Order>, Order.
    private static string CSharpName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return CSharpName(underlying) + "?";
        }

        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return $"{(tick < 0 ? name : name[..tick])}<{string.Join(", ", type.GetGenericArguments().Select(CSharpName))}>";
    }
}
