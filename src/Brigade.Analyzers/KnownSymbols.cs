using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers;

/// <summary>
/// The types the analyzers recognise calls on, looked up once per compilation by metadata name (never by the text of
/// the code): a type the compilation does not reference is null and the checks that need it are skipped.
/// </summary>
internal sealed class KnownSymbols
{
    private KnownSymbols(Compilation compilation)
    {
        Parallel = compilation.GetTypeByMetadataName("System.Threading.Tasks.Parallel");
        ParallelEnumerable = compilation.GetTypeByMetadataName("System.Linq.ParallelEnumerable");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        TaskFactory = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
        TaskFactoryOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory`1");
        TaskCreationOptions = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskCreationOptions");
        Thread = compilation.GetTypeByMetadataName("System.Threading.Thread");
        ThreadPool = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
        Monitor = compilation.GetTypeByMetadataName("System.Threading.Monitor");
        Lock = compilation.GetTypeByMetadataName("System.Threading.Lock");
        Interlocked = compilation.GetTypeByMetadataName("System.Threading.Interlocked");
        ThreadStaticAttribute = compilation.GetTypeByMetadataName("System.ThreadStaticAttribute");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        Enumerable = compilation.GetTypeByMetadataName("System.Linq.Enumerable");
        ThreadingTimer = compilation.GetTypeByMetadataName("System.Threading.Timer");
        TimersTimer = compilation.GetTypeByMetadataName("System.Timers.Timer");

        Runner = compilation.GetTypeByMetadataName("Brigade.Runner");
        RunOptions = compilation.GetTypeByMetadataName("Brigade.RunOptions");
        Engine = compilation.GetTypeByMetadataName("Brigade.Engine");
        DetectingLock = compilation.GetTypeByMetadataName("Brigade.Synchronization.DetectingLock");
        DetectingReaderWriterLock = compilation.GetTypeByMetadataName("Brigade.Synchronization.DetectingReaderWriterLock");
        DetectingSemaphore = compilation.GetTypeByMetadataName("Brigade.Synchronization.DetectingSemaphore");
        LockScope = compilation.GetTypeByMetadataName("Brigade.Synchronization.LockScope");
        Shared = compilation.GetTypeByMetadataName("Brigade.Synchronization.Shared`1");
        SharedExtensions = compilation.GetTypeByMetadataName("Brigade.Synchronization.SharedExtensions");
        RaceDetector = compilation.GetTypeByMetadataName("Brigade.Diagnostics.RaceDetector");
        Wrappers = Parallel is null && Task is null ? null : new ParallelWrappers(compilation, this);
        Interfaces = Parallel is null && Task is null ? null : new ParallelInterfaces(compilation, this);
        Singletons = new SingletonServices(compilation);
        CircuitHandler = compilation.GetTypeByMetadataName("Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler");
    }

    /// <summary>Gets Blazor Server's circuit handler: present when the compilation can host components on the server (review 66b).</summary>
    public INamedTypeSymbol? CircuitHandler { get; }

    /// <summary>Gets the services the compilation registers as singletons (read when first asked).</summary>
    public SingletonServices Singletons { get; }

    /// <summary>Gets the interface methods the compilation runs in parallel bodies through a type parameter (null if it references no parallel API).</summary>
    public ParallelInterfaces? Interfaces { get; }

    /// <summary>Gets the compilation's own wrappers of the parallel APIs (null if it references none of them).</summary>
    public ParallelWrappers? Wrappers { get; }

    public INamedTypeSymbol? Parallel { get; }

    public INamedTypeSymbol? ParallelEnumerable { get; }

    public INamedTypeSymbol? Task { get; }

    public INamedTypeSymbol? TaskOfT { get; }

    public INamedTypeSymbol? ValueTask { get; }

    public INamedTypeSymbol? ValueTaskOfT { get; }

    public INamedTypeSymbol? TaskFactory { get; }

    public INamedTypeSymbol? TaskFactoryOfT { get; }

    public INamedTypeSymbol? TaskCreationOptions { get; }

    public INamedTypeSymbol? Thread { get; }

    public INamedTypeSymbol? ThreadPool { get; }

    public INamedTypeSymbol? Monitor { get; }

    public INamedTypeSymbol? Lock { get; }

    public INamedTypeSymbol? Interlocked { get; }

    public INamedTypeSymbol? ThreadStaticAttribute { get; }

    public INamedTypeSymbol? CancellationToken { get; }

    public INamedTypeSymbol? Enumerable { get; }

    public INamedTypeSymbol? ThreadingTimer { get; }

    public INamedTypeSymbol? TimersTimer { get; }

    public INamedTypeSymbol? Runner { get; }

    public INamedTypeSymbol? RunOptions { get; }

    public INamedTypeSymbol? Engine { get; }

    public INamedTypeSymbol? DetectingLock { get; }

    public INamedTypeSymbol? DetectingReaderWriterLock { get; }

    public INamedTypeSymbol? DetectingSemaphore { get; }

    public INamedTypeSymbol? LockScope { get; }

    public INamedTypeSymbol? Shared { get; }

    public INamedTypeSymbol? SharedExtensions { get; }

    public INamedTypeSymbol? RaceDetector { get; }

    /// <summary>Looks the types up in a compilation.</summary>
    /// <param name="compilation">The compilation.</param>
    /// <returns>The symbols.</returns>
    public static KnownSymbols Create(Compilation compilation) => new(compilation);

    /// <summary>Tests whether a type is one of the known types (generic types by their definition).</summary>
    /// <param name="type">The type, possibly null.</param>
    /// <param name="known">The known type, possibly null.</param>
    /// <returns>True if both are the same type.</returns>
    public static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) =>
        type is not null && known is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, known);

    /// <summary>Tests whether a type is, or derives from, a known class.</summary>
    /// <param name="type">The type, possibly null.</param>
    /// <param name="known">The known class, possibly null.</param>
    /// <returns>True if it is or derives from it.</returns>
    public static bool IsOrDerives(ITypeSymbol? type, INamedTypeSymbol? known)
    {
        for (var t = type; t is not null && known is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, known))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Tests whether a type is Task, Task&lt;T&gt;, ValueTask or ValueTask&lt;T&gt;.</summary>
    /// <param name="type">The type.</param>
    /// <returns>True for the task types.</returns>
    public bool IsTaskLike(ITypeSymbol? type) =>
        IsOrDerives(type, Task) || Is(type, ValueTask) || Is(type, ValueTaskOfT);

    /// <summary>Tests whether a type is a Brigade primitive taken through <c>Acquire</c>-style methods.</summary>
    /// <param name="type">The type.</param>
    /// <returns>True for DetectingLock, DetectingReaderWriterLock and DetectingSemaphore.</returns>
    public bool IsBrigadePrimitive(ITypeSymbol? type) =>
        Is(type, DetectingLock) || Is(type, DetectingReaderWriterLock) || Is(type, DetectingSemaphore);
}
