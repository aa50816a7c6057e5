using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// A lock as the static lock graph knows it: a field or property of the compilation (every instance of a field is one
/// lock, as lock classes are in Linux's lockdep), <c>this</c> of a type, <c>typeof(T)</c>, a string constant (interned:
/// one object per value), or a member declared outside the compilation read from a lock the graph can name
/// (<c>((ICollection)_items).SyncRoot</c> is <c>_items</c>'s, not every collection's).
/// </summary>
internal readonly struct LockKey : IEquatable<LockKey>
{
    private const int FieldOrProperty = 0;
    private const int This = 1;
    private const int TypeOf = 2;
    private const int Literal = 3;
    private const int Member = 4;

    private readonly int _kind;
    private readonly string? _text;
    private readonly object? _receiver; // the boxed LockKey a Member is read from

    private LockKey(ISymbol? symbol, int kind, string? text = null, object? receiver = null)
    {
        Symbol = symbol;
        _kind = kind;
        _text = text;
        _receiver = receiver;
    }

    /// <summary>Gets the field, property or type; null for a string constant.</summary>
    public ISymbol? Symbol { get; }

    /// <summary>Gets a value indicating whether the key is a field or property of the compilation (a lock class).</summary>
    public bool IsFieldOrProperty => _kind == FieldOrProperty;

    /// <summary>Gets the type whose <c>this</c> the key is, if it is one.</summary>
    public INamedTypeSymbol? ThisType => _kind == This ? Symbol as INamedTypeSymbol : null;

    /// <summary>Gets the name shown in messages, such as <c>Account._sync</c>.</summary>
    public string Display => _kind switch
    {
        This => "this (" + Symbol!.Name + ")",
        TypeOf => "typeof(" + Symbol!.Name + ")",
        Literal => "\"" + _text + "\"",
        Member => ((LockKey)_receiver!).Display + "." + Symbol!.Name,
        _ => (Symbol!.ContainingType is { } type ? type.Name + "." : "") + Symbol!.Name,
    };

    /// <summary>Gets the key of <c>this</c> of a type.</summary>
    /// <param name="type">The type.</param>
    /// <returns>The key.</returns>
    public static LockKey ForThis(INamedTypeSymbol type) => new(type.OriginalDefinition, This);

    /// <summary>Gets the key of a lock expression, if the graph can name it.</summary>
    /// <param name="operation">The locked expression (the operand of <c>lock</c>, the receiver of <c>Acquire</c>).</param>
    /// <param name="key">The key.</param>
    /// <returns>False for locals, parameters, call results: locks whose identity the code does not show.</returns>
    public static bool TryGet(IOperation? operation, out LockKey key)
    {
        key = default;
        if (operation is null)
        {
            return false;
        }

        operation = Operations.SkipConversions(operation);
        if (operation.ConstantValue is { HasValue: true, Value: string text })
        {
            key = new LockKey(null, Literal, text);
            return true;
        }

        switch (operation)
        {
            case IFieldReferenceOperation field:
                return TryGetMember(field.Field, field.Instance, out key);
            case IPropertyReferenceOperation { Property.IsIndexer: false } property:
                return TryGetMember(property.Property, property.Instance, out key);
            case IInstanceReferenceOperation { Type: INamedTypeSymbol type }:
                key = ForThis(type);
                return true;
            case ITypeOfOperation typeOf:
                key = new LockKey(typeOf.TypeOperand.OriginalDefinition, TypeOf);
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc/>
    public bool Equals(LockKey other) =>
        _kind == other._kind
        && SymbolEqualityComparer.Default.Equals(Symbol, other.Symbol)
        && string.Equals(_text, other._text, StringComparison.Ordinal)
        && Equals(_receiver, other._receiver);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LockKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() =>
        (((SymbolEqualityComparer.Default.GetHashCode(Symbol) * 3) + _kind) * 31)
        + (_text is null ? 0 : StringComparer.Ordinal.GetHashCode(_text))
        + (_receiver is null ? 0 : _receiver.GetHashCode() * 17);

    // A member of the compilation is a lock class of its own; an instance member declared outside it (a BCL property
    // such as SyncRoot) is one lock per receiver, so it is keyed by the receiver, when that has a key.
    private static bool TryGetMember(ISymbol member, IOperation? instance, out LockKey key)
    {
        key = default;
        if (instance is null || member.Locations.Any(location => location.IsInSource))
        {
            key = new LockKey(ThroughGetter(member).OriginalDefinition, FieldOrProperty);
            return true;
        }

        if (!TryGet(instance, out var receiver))
        {
            return false;
        }

        key = new LockKey(member.OriginalDefinition, Member, receiver: receiver);
        return true;
    }

    // A property of the compilation whose getter only returns a field (`object SyncObject => _sync;`, `get { return
    // this._sync; }`) is that field's lock: `lock (SyncObject)` and `lock (_sync)` are one object (review 45,
    // vs-threading's AsyncReaderWriterLock). Followed through a few such properties; a getter doing anything else keeps
    // the property as a lock of its own.
    private static ISymbol ThroughGetter(ISymbol member)
    {
        for (var depth = 0; depth < 4 && member is IPropertySymbol { IsIndexer: false, GetMethod: { } getter } property; depth++)
        {
            if (ReturnedName(getter) is not { } name || FieldOrPropertyNamed(property.ContainingType, name) is not { } target)
            {
                break;
            }

            member = target;
        }

        return member;
    }

    // The name a getter returns, when its body is only `name` or `this.name`.
    private static string? ReturnedName(IMethodSymbol getter)
    {
        if (getter.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var returned = getter.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            ArrowExpressionClauseSyntax arrow => arrow.Expression,
            AccessorDeclarationSyntax { ExpressionBody: { } arrow } => arrow.Expression,
            AccessorDeclarationSyntax { Body.Statements: { Count: 1 } statements } when statements[0] is ReturnStatementSyntax { Expression: { } expression } => expression,
            _ => null,
        };
        return returned switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
            MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: IdentifierNameSyntax identifier } => identifier.Identifier.ValueText,
            _ => null,
        };
    }

    // The field or property of that name a getter of the type reads: the type's own or a base type's, declared in source.
    private static ISymbol? FieldOrPropertyNamed(INamedTypeSymbol type, string name)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var candidate in current.GetMembers(name))
            {
                if (candidate is IFieldSymbol or IPropertySymbol { IsIndexer: false } && candidate.Locations.Any(location => location.IsInSource))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
