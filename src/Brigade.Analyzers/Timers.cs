using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>
/// What a timer does with the function it is given (review 63): a <c>System.Threading.Timer</c> calls its callback on a
/// pool thread at each tick, and "the callback can be executed simultaneously on two thread pool threads if the timer
/// interval is less than the time required to execute the callback, or if all thread pool threads are in use" (its
/// docs); a <c>System.Timers.Timer</c> raises <c>Elapsed</c> the same way unless <c>AutoReset</c> is false (one tick)
/// or a <c>SynchronizingObject</c> marshals it to a UI thread.
/// </summary>
internal static class Timers
{
    /// <summary>Tests whether a timer body may run concurrently with itself: a periodic <c>System.Threading.Timer</c>, or an
    /// <c>Elapsed</c> handler of a timer of the type that sets neither <c>AutoReset</c> nor <c>SynchronizingObject</c>.</summary>
    /// <param name="body">A body of kind <see cref="BodyKind.Timer"/>.</param>
    /// <returns>True if two ticks can run it at once.</returns>
    public static bool IsPeriodic(BodyContext body) => body.Call switch
    {
        IObjectCreationOperation creation => HasPeriod(creation),
        IEventAssignmentOperation handler => IsOwnTimer(handler, out var type, out var declaring, out var name) && !SetsAny(type, declaring, name, "AutoReset", "SynchronizingObject"),
        _ => false,
    };

    /// <summary>Tests whether a timer's callback keeps its ticks apart itself: it stops or re-arms the timer
    /// (<c>Change</c>, <c>Stop</c>, <c>Enabled = false</c>) or takes a flag or lock without waiting
    /// (<c>Interlocked.Exchange</c>/<c>CompareExchange</c>, <c>Monitor.TryEnter</c>, <c>Wait(0)</c>): the usual guards against
    /// a tick running while the last one still does. Whether the guard is right is not checked: it is the author's intent.</summary>
    /// <param name="body">The callback's body.</param>
    /// <returns>True if the body holds such a guard.</returns>
    public static bool GuardsItsTicks(IOperation body)
    {
        foreach (var operation in body.Descendants())
        {
            switch (operation)
            {
                case IInvocationOperation { TargetMethod: { Name: "Exchange" or "CompareExchange", ContainingType.Name: "Interlocked" } }:
                case IInvocationOperation { TargetMethod.Name: "Change" or "Stop", TargetMethod.ContainingType.Name: "Timer" }:
                case IInvocationOperation { TargetMethod.Name: var name } when name.StartsWith("TryEnter", StringComparison.Ordinal):
                case IInvocationOperation { TargetMethod.Name: "Wait" or "WaitAsync", Arguments.Length: > 0 } wait
                    when wait.Arguments[0].Value.ConstantValue is { HasValue: true, Value: 0 }:
                case ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property: { Name: "Enabled", ContainingType.Name: "Timer" } } }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>Tests whether a timer body runs on the thread pool, where an exception of an async void function crashes
    /// the process: a <c>System.Threading.Timer</c>'s callback, or an <c>Elapsed</c> handler of a timer of the type that does
    /// not set <c>SynchronizingObject</c> (with it, the UI's context gets the exception, as for a Click handler).</summary>
    /// <param name="body">A body of kind <see cref="BodyKind.Timer"/>.</param>
    /// <returns>True if the body runs on a pool thread.</returns>
    public static bool RunsOnThreadPool(BodyContext body) => body.Call switch
    {
        IObjectCreationOperation => true,
        IEventAssignmentOperation handler => IsOwnTimer(handler, out var type, out var declaring, out var name) && !SetsAny(type, declaring, name, "SynchronizingObject"),
        _ => false,
    };

    // new Timer(callback, state, dueTime, period) with a period that is not Infinite or 0 (a one-shot timer, re-armed by
    // Change at the end of each run, runs one callback at a time). new Timer(callback) has no schedule yet: not known.
    private static bool HasPeriod(IObjectCreationOperation creation)
    {
        foreach (var argument in creation.Arguments)
        {
            if (argument.Parameter?.Name != "period")
            {
                continue;
            }

            var value = Operations.SkipConversions(argument.Value);
            return value switch
            {
                _ when value.ConstantValue is { HasValue: true, Value: { } constant } => Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture) is not (0 or -1 or uint.MaxValue),
                IDefaultValueOperation => false,
                IFieldReferenceOperation { Field.Name: "InfiniteTimeSpan" or "Zero" } => false,
                IPropertyReferenceOperation { Property.Name: "InfiniteTimeSpan" or "Zero" } => false,
                IInvocationOperation { TargetMethod.ContainingType.Name: "TimeSpan", Arguments.Length: 1 } fromUnits
                    when fromUnits.Arguments[0].Value.ConstantValue is { HasValue: true, Value: { } span } =>
                    Convert.ToDouble(span, System.Globalization.CultureInfo.InvariantCulture) > 0,
                _ => true,
            };
        }

        return false;
    }

    // `timer.Elapsed += ...` on a local, or a field or property of the type the handler is added in or of a base type of
    // it in the compilation (review 64: `protected readonly Timer Clock` of a base class): the types whose code configures
    // the timer, read from `type` up to `declaring` (a timer handed in from elsewhere, or of a base type without source,
    // may be configured there: not known).
    private static bool IsOwnTimer(IEventAssignmentOperation handler, out INamedTypeSymbol type, out INamedTypeSymbol declaring, out string name)
    {
        type = null!;
        declaring = null!;
        name = "";
        if (handler.EventReference is not IEventReferenceOperation { Instance: { } instance } || handler.SemanticModel is null)
        {
            return false;
        }

        var containing = handler.SemanticModel.GetEnclosingSymbol(handler.Syntax.SpanStart)?.ContainingType;
        if (containing is null)
        {
            return false;
        }

        type = containing;
        (var owner, name) = Operations.SkipConversions(instance) switch
        {
            ILocalReferenceOperation local => (containing, local.Local.Name),
            IFieldReferenceOperation field => (field.Field.ContainingType, field.Field.Name),
            IPropertyReferenceOperation property => (property.Property.ContainingType, property.Property.Name),
            _ => (null, ""),
        };
        for (var current = containing; owner is not null && current is not null && !current.DeclaringSyntaxReferences.IsEmpty; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, owner.OriginalDefinition))
            {
                declaring = current;
                return true;
            }
        }

        return false;
    }

    // Whether any declaration of the type, or of a base type up to the one declaring the timer, may assign one of the
    // members of the timer named `timer`
    // (`_timer.AutoReset = false`, `_timer = new(1000) { AutoReset = false }`), read as syntax: every part of a partial
    // type (a designer file's InitializeComponent). An assignment to another timer by name does not count; one whose
    // timer has no name (`Make(new Timer { AutoReset = false })`) may be this one, and does.
    private static bool SetsAny(INamedTypeSymbol type, INamedTypeSymbol declaring, string timer, params string[] members)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SetsAny(current, timer, members))
            {
                return true;
            }

            if (SymbolEqualityComparer.Default.Equals(current, declaring))
            {
                break;
            }
        }

        return false;
    }

    private static bool SetsAny(INamedTypeSymbol type, string timer, string[] members)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                if (node is AssignmentExpressionSyntax { Left: var left } assignment
                    && (left switch
                    {
                        IdentifierNameSyntax name => name.Identifier.ValueText,
                        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                        _ => null,
                    }) is { } assigned
                    && Array.IndexOf(members, assigned) >= 0
                    && TimerAssigned(assignment) is var named && (named is null || named == timer))
                {
                    return true;
                }
            }
        }

        return false;
    }

    // The name of the timer whose member an assignment sets: `x.AutoReset = ...` (x, this.x), or `{ AutoReset = ... }` in
    // the initializer of `new(...)` that initialises or is assigned to x; null when it has none.
    private static string? TimerAssigned(AssignmentExpressionSyntax assignment)
    {
        if (assignment.Left is MemberAccessExpressionSyntax { Expression: var target })
        {
            return NameOf(target);
        }

        return assignment.Parent is InitializerExpressionSyntax { Parent: BaseObjectCreationExpressionSyntax creation }
            ? creation.Parent switch
            {
                EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax variable } => variable.Identifier.ValueText,
                EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax property } => property.Identifier.ValueText,
                AssignmentExpressionSyntax { Left: var left } => NameOf(left),
                _ => null,
            }
            : null;
    }

    private static string? NameOf(ExpressionSyntax expression) => expression switch
    {
        IdentifierNameSyntax name => name.Identifier.ValueText,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => name.Identifier.ValueText,
        _ => null,
    };

    /// <summary>Finds the timer a method is given to by name in its own type: <c>new Timer(DoWork, null, 0, 1000)</c> or
    /// <c>timer.Elapsed += OnElapsed</c> (review 64b: the IHostedService template); the timer runs the method at each tick
    /// as it would a lambda. Only methods of a timer callback's shape are looked up, and only in their type's declarations.</summary>
    /// <param name="method">The method's body.</param>
    /// <param name="symbol">The method.</param>
    /// <param name="known">The compilation's known types.</param>
    /// <param name="periodicOnly">Whether only a periodic timer counts (BRG2002); any timer runs it on the pool (BRG2003).</param>
    /// <returns>The timer's context, or null.</returns>
    public static BodyContext? GivenByName(IMethodBodyOperation method, IMethodSymbol symbol, KnownSymbols known, bool periodicOnly)
    {
        if (symbol.MethodKind != MethodKind.Ordinary || !symbol.ReturnsVoid
            || !(symbol.Parameters.Length == 1 && symbol.Parameters[0].Type.SpecialType == SpecialType.System_Object
                || symbol.Parameters.Length == 2 && symbol.Parameters[1].Type.Name == "ElapsedEventArgs"))
        {
            return null;
        }

        // The parts of the type in the method's own file (the semantic model at hand): a timer made in another part of a
        // partial type is not looked for.
        foreach (var reference in symbol.ContainingType.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree != method.Syntax.SyntaxTree || method.SemanticModel is not { } model)
            {
                continue;
            }

            var declaration = reference.GetSyntax();
            foreach (var token in declaration.DescendantTokens())
            {
                if (!token.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken) || token.ValueText != symbol.Name
                    || token.Parent is not Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax name)
                {
                    continue;
                }

                SyntaxNode node = name.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access && access.Name == name ? access : name;
                var operation = model.GetOperation(node);
                if (operation is IDelegateCreationOperation { Target: var target })
                {
                    operation = target;
                }

                if (operation is IMethodReferenceOperation referenced
                    && SymbolEqualityComparer.Default.Equals(referenced.Method.OriginalDefinition, symbol.OriginalDefinition)
                    && BodyContext.TryGet(referenced, known, out var body) && body.Kind == BodyKind.Timer && (!periodicOnly || IsPeriodic(body)))
                {
                    return body;
                }
            }
        }

        return null;
    }
}
