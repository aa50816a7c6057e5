using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers;

/// <summary>The Brigade diagnostics, BRG2001 to BRG2008: ids, severities, messages and help links, in one place.</summary>
/// <remarks>Every rule is tracked in AnalyzerReleases.Unshipped.md and documented in docs/analyzers.md under its id.</remarks>
internal static class Descriptors
{
    /// <summary>The category of every Brigade rule (an .editorconfig can set <c>dotnet_analyzer_diagnostic.category-Concurrency.severity</c>).</summary>
    public const string Category = "Concurrency";

    private static readonly string s_helpLinkBase =
        typeof(Descriptors).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "BrigadeHelpLinkBase")?.Value
        ?? "docs/analyzers.md";

    /// <summary>BRG2001: two locks taken in opposite orders somewhere in the compilation.</summary>
    /// <remarks>Reported when the whole compilation has been seen (a compilation-end diagnostic): in a build, and in an IDE
    /// only when it analyzes the full solution.</remarks>
    public static readonly DiagnosticDescriptor BRG2001LockOrderInversion = Create("BRG2001", WellKnownDiagnosticTags.CompilationEnd);

    /// <summary>BRG2002: a read-modify-write of shared state in a body run concurrently, unguarded.</summary>
    public static readonly DiagnosticDescriptor BRG2002LostUpdate = Create("BRG2002");

    /// <summary>BRG2003: a synchronous wait, sleep or blocking I/O call on a thread of the thread pool.</summary>
    public static readonly DiagnosticDescriptor BRG2003BlockingOnThreadPool = Create("BRG2003");

    /// <summary>BRG2004: an async lambda converted to a void-returning delegate of a synchronous parallel API.</summary>
    public static readonly DiagnosticDescriptor BRG2004AsyncLambdaToSyncParallelApi = Create("BRG2004");

    /// <summary>BRG2005: a Brigade lock taken with the blocking Acquire and held across an await.</summary>
    public static readonly DiagnosticDescriptor BRG2005LockHeldAcrossAwait = Create("BRG2005");

    /// <summary>BRG2006: a Shared&lt;T&gt; accessed on both sides of an await outside any logical flow.</summary>
    public static readonly DiagnosticDescriptor BRG2006SharedAcrossAwait = Create("BRG2006");

    /// <summary>BRG2007: a thread-affine lock (Monitor, Mutex, ReaderWriterLockSlim, SpinLock, Lock) held across an await.</summary>
    public static readonly DiagnosticDescriptor BRG2007ThreadAffineLockAcrossAwait = Create("BRG2007");

    /// <summary>BRG2008: the Task&lt;Task&gt; of Task.Factory.StartNew or ContinueWith with an async function, awaited or waited for without Unwrap.</summary>
    public static readonly DiagnosticDescriptor BRG2008NestedTaskNotUnwrapped = Create("BRG2008");

    /// <summary>Gets the help link of a rule: its section of docs/analyzers.md.</summary>
    /// <param name="id">The rule id, such as BRG2001.</param>
    /// <returns>The link.</returns>
    public static string HelpLink(string id) => s_helpLinkBase + "#" + id.ToLowerInvariant();

    private static DiagnosticDescriptor Create(string id, params string[] customTags) =>
        new(
            id,
            Resources.Get(id + "Title"),
            Resources.Get(id + "Message"),
            Category,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: Resources.Get(id + "Description"),
            helpLinkUri: HelpLink(id),
            customTags: customTags);
}
