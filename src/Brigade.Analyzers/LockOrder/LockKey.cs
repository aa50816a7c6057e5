using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers.LockOrder;

/// <summary>
/// A lock as the static lock graph knows it: a field or property (every instance of a field is one lock, as lock
/// classes are in Linux's lockdep), <c>this</c> of a type, or <c>typeof(T)</c>.
/// </summary>
internal readonly struct LockKey : IEquatable<LockKey>
{
    private const int FieldOrProperty = 0;
    private const int This = 1;
    private const int TypeOf = 2;

    private readonly int _kind;

    private LockKey(ISymbol symbol, int kind)
    {
        Symbol = symbol;
        _kind = kind;
    }

    /// <summary>Gets the field, property or type.</summary>
    public ISymbol Symbol { get; }

    /// <summary>Gets the name shown in messages, such as <c>Account._sync</c>.</summary>
    public string Display => _kind switch
    {
        This => "this (" + Symbol.Name + ")",
        TypeOf => "typeof(" + Symbol.Name + ")",
        _ => (Symbol.ContainingType is { } type ? type.Name + "." : "") + Symbol.Name,
    };

    /// <summary>Gets the key of a lock expression, if the graph can name it.</summary>
    /// <param name="operation">The locked expression (the operand of <c>lock</c>, the receiver of <c>Acquire</c>).</param>
    /// <param name="key">The key.</param>
    /// <returns>False for locals, parameters, call results: locks whose identity the code does not show.</returns>
    public static bool TryGet(IOperation? operation, out LockKey key)
    {
        key = default;
        switch (operation is null ? null : Operations.SkipConversions(operation))
        {
            case Microsoft.CodeAnalysis.Operations.IFieldReferenceOperation field:
                key = new LockKey(field.Field.OriginalDefinition, FieldOrProperty);
                return true;
            case Microsoft.CodeAnalysis.Operations.IPropertyReferenceOperation { Property.IsIndexer: false } property:
                key = new LockKey(property.Property.OriginalDefinition, FieldOrProperty);
                return true;
            case Microsoft.CodeAnalysis.Operations.IInstanceReferenceOperation { Type: { } type }:
                key = new LockKey(type.OriginalDefinition, This);
                return true;
            case Microsoft.CodeAnalysis.Operations.ITypeOfOperation typeOf:
                key = new LockKey(typeOf.TypeOperand.OriginalDefinition, TypeOf);
                return true;
            default:
                return false;
        }
    }

    /// <inheritdoc/>
    public bool Equals(LockKey other) => _kind == other._kind && SymbolEqualityComparer.Default.Equals(Symbol, other.Symbol);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LockKey other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (SymbolEqualityComparer.Default.GetHashCode(Symbol) * 3) + _kind;
}
