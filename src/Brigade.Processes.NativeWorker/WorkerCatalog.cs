using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Brigade.Engines.Remote;

namespace Brigade.Processes;

/// <summary>
/// The work types a worker executable of your own can run (<see cref="NativeWorkerHost"/>), registered by their types
/// rather than found by reflection, so that the executable can be published NativeAOT.
/// </summary>
/// <remarks>
/// <para>The engine names a work type by its full name (<see cref="Type.FullName"/>): register the very type the
/// application passes to the engine (usually from a library that both projects reference). A worker that is asked for a
/// type it does not have fails the run at once, with an <see cref="ArgumentException"/> that lists this catalog's names.</para>
/// <para>Inputs and results travel as the engine sends them: primitive numbers, <see langword="bool"/> and
/// <see langword="char"/> as raw bytes, everything else as JSON. <see cref="Add{TWork, TIn, TOut}()"/> knows the metadata
/// of those and of <see cref="string"/>, <see cref="decimal"/>, <see cref="Guid"/>, <see cref="DateTime"/>,
/// <see cref="DateTimeOffset"/> and <see cref="TimeSpan"/> (and the nullable forms of all of these); any other type needs metadata from a source-generated
/// <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>, which must write and read the same JSON as the
/// engine's: the context named by the work type's <see cref="WorkSerializerAttribute"/> (checked), or, without one,
/// <see cref="WorkDescriptor.DefaultSerializerOptions"/>: the properties' own names and public fields included.</para>
/// <para>Not thread-safe: fill it before <see cref="NativeWorkerHost.Run"/>.</para>
/// </remarks>
public sealed class WorkerCatalog
{
    private readonly Dictionary<string, Func<ItemPolicySpec?, RemoteItemExecutor>> _entries = new(StringComparer.Ordinal);

    /// <summary>Gets the names of the registered work types, as the engine sends them.</summary>
    public IReadOnlyCollection<string> Names => _entries.Keys;

    /// <summary>Registers a work type whose input and result types need no metadata of yours: primitive numbers,
    /// <see langword="bool"/>, <see langword="char"/>, <see cref="string"/>, <see cref="decimal"/>, <see cref="Guid"/>,
    /// <see cref="DateTime"/>, <see cref="DateTimeOffset"/> or <see cref="TimeSpan"/>, or a nullable form of one of these.</summary>
    /// <typeparam name="TWork">The work type; each worker creates one instance per run, with its parameterless constructor.</typeparam>
    /// <typeparam name="TIn">The work's input type.</typeparam>
    /// <typeparam name="TOut">The work's result type.</typeparam>
    /// <returns>This catalog.</returns>
    /// <exception cref="ArgumentException">The work type is generic or already registered, or an input or result type needs
    /// JSON metadata (use <see cref="Add{TWork, TIn, TOut}(JsonTypeInfo{TIn}, JsonTypeInfo{TOut})"/>).</exception>
    public WorkerCatalog Add<TWork, TIn, TOut>()
        where TWork : class, IWork<TIn, TOut>, new()
        => Register<TWork, TIn, TOut>(BuiltIn<TWork, TIn>("input"), BuiltIn<TWork, TOut>("result"));

    /// <summary>Registers a work type whose input and result travel as JSON with the given source-generated metadata.</summary>
    /// <typeparam name="TWork">The work type; each worker creates one instance per run, with its parameterless constructor.</typeparam>
    /// <typeparam name="TIn">The work's input type.</typeparam>
    /// <typeparam name="TOut">The work's result type.</typeparam>
    /// <param name="inputTypeInfo">The metadata of <typeparamref name="TIn"/>, such as <c>MyJson.Default.Order</c>.</param>
    /// <param name="outputTypeInfo">The metadata of <typeparamref name="TOut"/>.</param>
    /// <returns>This catalog.</returns>
    /// <exception cref="ArgumentException">The work type is generic or already registered, or the metadata is not the
    /// engine's: from another context than the work type's <see cref="WorkSerializerAttribute"/>, or (without one) with
    /// a naming policy and case-sensitive reading.</exception>
    public WorkerCatalog Add<TWork, TIn, TOut>(JsonTypeInfo<TIn> inputTypeInfo, JsonTypeInfo<TOut> outputTypeInfo)
        where TWork : class, IWork<TIn, TOut>, new()
        => Register<TWork, TIn, TOut>(Given<TWork, TIn>(inputTypeInfo, "input"), Given<TWork, TOut>(outputTypeInfo, "result"));

    /// <summary>Registers an asynchronous work type whose input and result types need no metadata of yours (see <see cref="Add{TWork, TIn, TOut}()"/>).</summary>
    /// <typeparam name="TWork">The work type; each worker creates one instance per run, with its parameterless constructor.</typeparam>
    /// <typeparam name="TIn">The work's input type.</typeparam>
    /// <typeparam name="TOut">The work's result type.</typeparam>
    /// <returns>This catalog.</returns>
    /// <exception cref="ArgumentException">The work type is generic or already registered, or an input or result type needs
    /// JSON metadata (use <see cref="AddAsyncWork{TWork, TIn, TOut}(JsonTypeInfo{TIn}, JsonTypeInfo{TOut})"/>).</exception>
    public WorkerCatalog AddAsyncWork<TWork, TIn, TOut>()
        where TWork : class, IAsyncWork<TIn, TOut>, new()
        => Register<TWork, TIn, TOut>(BuiltIn<TWork, TIn>("input"), BuiltIn<TWork, TOut>("result"));

    /// <summary>Registers an asynchronous work type whose input and result travel as JSON with the given source-generated metadata.</summary>
    /// <typeparam name="TWork">The work type; each worker creates one instance per run, with its parameterless constructor.</typeparam>
    /// <typeparam name="TIn">The work's input type.</typeparam>
    /// <typeparam name="TOut">The work's result type.</typeparam>
    /// <param name="inputTypeInfo">The metadata of <typeparamref name="TIn"/>.</param>
    /// <param name="outputTypeInfo">The metadata of <typeparamref name="TOut"/>.</param>
    /// <returns>This catalog.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Add{TWork, TIn, TOut}(JsonTypeInfo{TIn}, JsonTypeInfo{TOut})"/>.</exception>
    public WorkerCatalog AddAsyncWork<TWork, TIn, TOut>(JsonTypeInfo<TIn> inputTypeInfo, JsonTypeInfo<TOut> outputTypeInfo)
        where TWork : class, IAsyncWork<TIn, TOut>, new()
        => Register<TWork, TIn, TOut>(Given<TWork, TIn>(inputTypeInfo, "input"), Given<TWork, TOut>(outputTypeInfo, "result"));

    /// <summary>Creates an instance of the work type of that name and its executor; <see langword="null"/> when there is none.</summary>
    internal RemoteItemExecutor? Create(string name, ItemPolicySpec? policy) =>
        _entries.TryGetValue(name, out var create) ? create(policy) : null;

    private WorkerCatalog Register<TWork, TIn, TOut>(Func<JsonTypeInfo<TIn>> input, Func<JsonTypeInfo<TOut>> output)
        where TWork : class, new()
    {
        var type = typeof(TWork);
        if (type.IsGenericType)
        {
            throw new ArgumentException($"Work type {type.Name} is generic: the engine never sends generic work types to a worker. Derive a non-generic class.", nameof(TWork));
        }

        var name = type.FullName ?? type.Name;
        if (!_entries.TryAdd(name, policy => RemoteItemExecutor<TIn, TOut>.ForInstance(new TWork(), input, output, policy, allowRaw: true)))
        {
            throw new ArgumentException($"Work type {name} is already in the catalog.", nameof(TWork));
        }

        return this;
    }

    // Metadata the catalog knows: the types that travel as raw bytes (their metadata is then never resolved) and a few
    // common ones, with the engine's default options (WorkDescriptor.DefaultSerializerOptions).
    private static Func<JsonTypeInfo<T>> BuiltIn<TWork, T>(string role)
    {
        if (!BuiltInJson.Has(typeof(T)))
        {
            throw new ArgumentException(
                $"The {role} type {typeof(T).FullName} of work type {typeof(TWork).FullName} travels as JSON and needs source-generated metadata: " +
                $"pass it, as in Add<{typeof(TWork).Name}, ...>(MyJson.Default.{typeof(T).Name}, ...), from a JsonSerializerContext with [JsonSerializable(typeof({typeof(T).Name}))].",
                nameof(T));
        }

        return static () => (JsonTypeInfo<T>)BuiltInJson.Default.GetTypeInfo(typeof(T))!;
    }

    private static Func<JsonTypeInfo<T>> Given<TWork, T>(JsonTypeInfo<T> info, string role)
    {
        ArgumentNullException.ThrowIfNull(info);
        var work = typeof(TWork);
        var resolver = info.OriginatingResolver ?? info.Options.TypeInfoResolver;
        var declared = work.GetCustomAttribute<WorkSerializerAttribute>()?.ContextType;
        if (declared is not null && resolver?.GetType() != declared)
        {
            throw new ArgumentException(
                $"Work type {work.FullName} names {declared.Name} in [WorkSerializer], where the engine reads and writes its values; the {role} metadata given comes from {resolver?.GetType().Name ?? "no context"}. Pass {declared.Name}'s.",
                role == "input" ? "inputTypeInfo" : "outputTypeInfo");
        }

        if (declared is null && info.Options.PropertyNamingPolicy is not null && !info.Options.PropertyNameCaseInsensitive)
        {
            throw new ArgumentException(
                $"The {role} metadata of work type {work.FullName} renames properties ({info.Options.PropertyNamingPolicy.GetType().Name}), but the engine writes them under their own names " +
                $"(WorkDescriptor.DefaultSerializerOptions): they would arrive empty. Name the context in [WorkSerializer] on {work.Name}, so that the engine uses it too, or read case-insensitively.",
                role == "input" ? "inputTypeInfo" : "outputTypeInfo");
        }

        if (declared is null && !info.Options.IncludeFields && PublicField(typeof(T)) is { } field)
        {
            // The engine writes and reads the type's public fields (WorkDescriptor.DefaultSerializerOptions: IncludeFields): a
            // worker whose metadata leaves them out reads them as zero and never writes them, and every item succeeds with a
            // wrong value (review 34).
            throw new ArgumentException(
                $"The {role} type {typeof(T).FullName} of work type {work.FullName} has a public field ({field}) that the engine writes and reads " +
                $"(WorkDescriptor.DefaultSerializerOptions includes fields), but the {role} metadata given leaves fields out: it would arrive empty. " +
                $"Set IncludeFields = true in the context's [JsonSourceGenerationOptions], or name the context in [WorkSerializer] on {work.Name}, so that the engine uses it too.",
                role == "input" ? "inputTypeInfo" : "outputTypeInfo");
        }

        return () => info;
    }

    // A public instance field the engine's default options serialize (not [JsonIgnore]d); null when there is none. Where the
    // trimmer removed a field's metadata, the work never touches the field, and nothing is lost without it.
    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "A check only: a field the trimmer removed is one nothing reads or writes.")]
    private static string? PublicField(Type type)
    {
        if (BuiltInJson.Has(type))
        {
            return null;
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!field.IsDefined(typeof(JsonIgnoreAttribute), inherit: true))
            {
                return field.Name;
            }
        }

        return null;
    }
}
