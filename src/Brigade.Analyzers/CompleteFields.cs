using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// Readonly fields that only ever hold a task complete when made (review 66c): <c>private readonly Task&lt;int&gt; _loaded =
/// Task.FromResult(3);</c>, <c>static readonly Task s_done = Task.CompletedTask;</c>, a <c>ValueTask</c> of a value, when
/// every assignment of the field (its initialiser, its constructors' and init accessors' writes, in every part of its
/// class) stores such a task, and none passes it by reference. A readonly field can be written nowhere else, so reading
/// its result never blocks. A field that is not readonly, has no assignment, or is assigned anything else (a call, a
/// conditional, a parameter) is not known complete. Each field is read once per compilation.
/// </summary>
internal sealed class CompleteFields
{
    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<IFieldSymbol, bool> _fields = new(SymbolEqualityComparer.Default);

    /// <summary>Initializes the fields of a compilation (each read when first asked).</summary>
    /// <param name="compilation">The compilation.</param>
    public CompleteFields(Compilation compilation) => _compilation = compilation;

    /// <summary>Tests whether a field holds only tasks complete when made.</summary>
    /// <param name="field">The field read.</param>
    /// <returns>True when the field is readonly and every assignment of it is a task complete when made.</returns>
    public bool HoldsOnlyACompleteTask(IFieldSymbol field) =>
        field.IsReadOnly && field.RefKind == RefKind.None && field.ContainingType is { } type && !type.DeclaringSyntaxReferences.IsEmpty
        && _fields.GetOrAdd(field.OriginalDefinition, f => Read(f, type.OriginalDefinition));

    private bool Read(IFieldSymbol field, INamedTypeSymbol type)
    {
        var assigned = false;
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            var syntax = reference.GetSyntax();
            if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            {
                return false;
            }

#pragma warning disable RS1030 // The field's class may be in another tree than the read analysed: read once per field and compilation.
            var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
            foreach (var node in syntax.DescendantNodes())
            {
                switch (node)
                {
                    case VariableDeclaratorSyntax { Initializer: { } initializer } declarator
                        when declarator.Identifier.ValueText == field.Name && SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declarator), field):
                        // private readonly Task<int> _loaded = Task.FromResult(3);
                        if (model.GetOperation(initializer.Value) is not { } value || !CompleteWhenMade.IsComplete(Operations.SkipConversions(value)))
                        {
                            return false;
                        }

                        assigned = true;
                        break;
                    case IdentifierNameSyntax name when name.Identifier.ValueText == field.Name:
                        switch (Written(model, name, field))
                        {
                            case Write.NotComplete:
                                return false;
                            case Write.Complete:
                                assigned = true;
                                break;
                        }

                        break;
                }
            }
        }

        return assigned;
    }

    // What a use of the field's name does to it: nothing (a read, another symbol), stores a task complete when made, or
    // anything else (stores another value, passes it by reference, takes its address, deconstructs into it).
    private static Write Written(SemanticModel model, IdentifierNameSyntax name, IFieldSymbol field)
    {
        SyntaxNode expression = name.Parent switch
        {
            MemberAccessExpressionSyntax access when access.Name == name => access,
            MemberBindingExpressionSyntax binding => binding,
            _ => name,
        };
        if (model.GetOperation(expression) is not IFieldReferenceOperation reference
            || !SymbolEqualityComparer.Default.Equals(reference.Field.OriginalDefinition, field))
        {
            return Write.None;
        }

        IOperation use = reference;
        while (use.Parent is IConversionOperation or IParenthesizedOperation)
        {
            use = use.Parent;
        }

        switch (use.Parent)
        {
            case IAssignmentOperation assignment when assignment.Target == use:
                // _ready = Task.FromResult(2);  _t ??= Task.CompletedTask;  (a ref assignment or compound one is not)
                return assignment is ISimpleAssignmentOperation { IsRef: false } or ICoalesceAssignmentOperation
                    && CompleteWhenMade.IsComplete(Operations.SkipConversions(assignment.Value)) ? Write.Complete : Write.NotComplete;
            case IArgumentOperation { Parameter.RefKind: not RefKind.None }:
            case IAddressOfOperation:
            case ITupleOperation:
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Symbol.IsRef: true } }:
                // Remote.Swap(ref _t), Init(out _t), (_t, x) = ..., ref readonly var r = ref _t: a reference to the
                // field, through which anything may be stored.
                return Write.NotComplete;
            case IReturnOperation when model.GetEnclosingSymbol(name.SpanStart) is IMethodSymbol { RefKind: not RefKind.None }:
                // return ref _t;
                return Write.NotComplete;
            default:
                return Write.None;
        }
    }

    private enum Write
    {
        None,
        Complete,
        NotComplete,
    }
}
