using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Brigade.Analyzers.CodeFixes;

/// <summary>
/// The batch fixer, for a code fix that offers one kind of action (one equivalence key), started with any key.
/// <c>dotnet format analyzers</c> takes the key from the first diagnostic of the id; when that diagnostic has no fix
/// (a blocking call in a synchronous body, say) the key is null, the batch fixer keeps no action, and nothing is
/// fixed ("didn't return a Fix All action"). Here a context with another key is given the fix's own key, and a Fix All
/// with nothing to fix is an action that changes nothing rather than none.
/// </summary>
internal sealed class AnyKeyFixAllProvider : FixAllProvider
{
    private readonly string _equivalenceKey;

    /// <summary>Initializes a new instance of the <see cref="AnyKeyFixAllProvider"/> class.</summary>
    /// <param name="equivalenceKey">The equivalence key of every action the fix registers.</param>
    public AnyKeyFixAllProvider(string equivalenceKey) => _equivalenceKey = equivalenceKey;

    /// <inheritdoc/>
    public override IEnumerable<FixAllScope> GetSupportedFixAllScopes() => WellKnownFixAllProviders.BatchFixer.GetSupportedFixAllScopes();

    /// <inheritdoc/>
    public override async Task<CodeAction?> GetFixAsync(FixAllContext fixAllContext)
    {
        var context = fixAllContext;
        if (fixAllContext.CodeActionEquivalenceKey != _equivalenceKey)
        {
            var diagnostics = new Forward(fixAllContext);
            context = fixAllContext.Document is { } document
                ? new FixAllContext(document, fixAllContext.CodeFixProvider, fixAllContext.Scope, _equivalenceKey, fixAllContext.DiagnosticIds, diagnostics, fixAllContext.CancellationToken)
                : new FixAllContext(fixAllContext.Project, fixAllContext.CodeFixProvider, fixAllContext.Scope, _equivalenceKey, fixAllContext.DiagnosticIds, diagnostics, fixAllContext.CancellationToken);
        }

        // Review 70: the batch fixer returns null when no diagnostic has a fix (every BRG2004 in a synchronous method), and
        // dotnet format then prints "Unable to fix ... didn't return a Fix All action", which reads like a crash. There is
        // nothing to fix (the rule's docs say where the fix applies): an action that changes nothing, and dotnet format
        // says nothing. An IDE offers Fix All only from a diagnostic with a fix, so never reaches this.
        return await WellKnownFixAllProviders.BatchFixer.GetFixAsync(context).ConfigureAwait(false)
            ?? CodeAction.Create("Nothing to fix", _ => Task.FromResult(fixAllContext.Solution), _equivalenceKey);
    }

    // The diagnostics of the original context.
    private sealed class Forward(FixAllContext original) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Wrap(original.GetAllDiagnosticsAsync(project));

        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) => Wrap(original.GetDocumentDiagnosticsAsync(document));

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) => Wrap(original.GetProjectDiagnosticsAsync(project));

        private static async Task<IEnumerable<Diagnostic>> Wrap(Task<ImmutableArray<Diagnostic>> diagnostics) => await diagnostics.ConfigureAwait(false);
    }
}
