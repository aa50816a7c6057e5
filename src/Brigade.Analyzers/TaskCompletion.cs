using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Brigade.Analyzers;

/// <summary>
/// Which tasks of one function body are known complete where, for BRG2003: built in one pass over the body (the
/// completions: <c>await t</c>, <c>t.Wait()</c>, <c>Task.WaitAll</c>, an awaited <c>Task.WhenAll</c>, the result of
/// an awaited <c>Task.WhenAny</c>, an early exit <c>if (!t.IsCompleted) return;</c>), then asked per blocking call,
/// with the guards on the call's own path (<c>if (t.IsCompleted)</c>, <c>{ IsCompleted: true }</c>) read by walking
/// out from it. A wait with a timeout, <c>WaitAny</c>, <c>WhenAny</c>'s arguments and a mere mention of the task
/// (<c>t.Status</c>, <c>!t.IsCompleted</c>) complete nothing. A completion counts in its own function (and the
/// lambdas in it), not in the function around a lambda it is in, and not after the variable is assigned again.
/// </summary>
internal sealed class TaskCompletion
{
    private readonly KnownSymbols _known;

    // A task complete from a position on, within the function the completion is in (to its end).
    private readonly Dictionary<ISymbol, List<Completion>> _completeFrom = new(SymbolEqualityComparer.Default);

    // A collection whose every element is complete from a position on: `await Task.WhenAll(tasks)`.
    private readonly Dictionary<ISymbol, List<Completion>> _elementsCompleteFrom = new(SymbolEqualityComparer.Default);

    // Where each variable is assigned (the end of the assignment): a completion before it does not count after it.
    private readonly Dictionary<ISymbol, List<int>> _assignedAt = new(SymbolEqualityComparer.Default);

    // A local holding `Task.WhenAll(...)`: awaiting or waiting for it completes the tasks given to WhenAll.
    private readonly Dictionary<ISymbol, IInvocationOperation> _storedWhenAll = new(SymbolEqualityComparer.Default);

    // A task complete within a span: after `if (!t.IsCompleted) return;`, to the end of the enclosing block.
    private readonly Dictionary<ISymbol, List<(int Start, int End)>> _completeWithin = new(SymbolEqualityComparer.Default);

    private TaskCompletion(KnownSymbols known) => _known = known;

    /// <summary>Collects the completions of a body in one pass.</summary>
    /// <param name="root">The root of the operation block.</param>
    /// <param name="known">The known types.</param>
    /// <returns>The completions.</returns>
    public static TaskCompletion Build(IOperation root, KnownSymbols known)
    {
        var facts = new TaskCompletion(known);
        foreach (var operation in root.DescendantsAndSelf())
        {
            facts.Collect(operation);
        }

        return facts;
    }

    /// <summary>Tests whether the task a blocking call waits for is known complete at the call.</summary>
    /// <param name="operation">The <c>.Result</c>, <c>.Wait()</c> or <c>GetResult()</c>.</param>
    /// <param name="task">The task operand (conversions skipped).</param>
    /// <returns>True if the call cannot block.</returns>
    public bool IsComplete(IOperation operation, IOperation task)
    {
        var position = operation.Syntax.SpanStart;
        if (ElementOf(task) is { } element)
        {
            return CollectionSymbol(element) is { } collection && IsFrom(_elementsCompleteFrom, collection, position);
        }

        if (KeyOf(task) is not { } symbol)
        {
            return false;
        }

        if (IsFrom(_completeFrom, symbol, position) || IsGuarded(operation, symbol))
        {
            return true;
        }

        if (_completeWithin.TryGetValue(symbol, out var spans))
        {
            foreach (var (start, end) in spans)
            {
                if (start <= position && position < end && !AssignedBetween(symbol, start, position))
                {
                    return true;
                }
            }
        }

        // An element drawn from a collection awaited with WhenAll: a lambda parameter (tasks.Select(t => t.Result))
        // or a foreach variable (foreach (var t in tasks)).
        return _elementsCompleteFrom.Count > 0 && SourceCollection(operation, symbol) is { } source && IsFrom(_elementsCompleteFrom, source, position);
    }

    /// <summary>The symbol a task operand names: a local, parameter, field or (non-indexer) property.</summary>
    /// <param name="operation">The operand, conversions skipped.</param>
    /// <returns>The symbol, or null.</returns>
    public static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        ILocalReferenceOperation local => local.Local,
        IParameterReferenceOperation parameter => parameter.Parameter,
        IFieldReferenceOperation field => field.Field,
        IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property,
        _ => null,
    };

    // The key a task (or a collection of tasks) is known by here: its symbol, or for a property declared outside the
    // compilation read from a variable (dictionary.Values, tcs.Task), that variable: every dictionary's Values is one
    // BCL property, not one collection. Null when the receiver is not a variable (GetTasks().Values).
    private static ISymbol? KeyOf(IOperation operation)
    {
        if (operation is IPropertyReferenceOperation { Property.IsIndexer: false, Instance: { } instance } property
            && property.Property.Locations.All(location => location.IsInMetadata)
            && Operations.SkipConversions(instance) is not IInstanceReferenceOperation)
        {
            return ReferencedSymbol(Operations.SkipConversions(instance));
        }

        return ReferencedSymbol(operation);
    }

    // Complete at a position: a completion before it, in its function or one around it, with no assignment between.
    private bool IsFrom(Dictionary<ISymbol, List<Completion>> from, ISymbol symbol, int position)
    {
        if (!from.TryGetValue(symbol, out var completions))
        {
            return false;
        }

        foreach (var completion in completions)
        {
            if (completion.From <= position && (completion.Function is not { } function || function.Contains(position)) && !AssignedBetween(symbol, completion.From, position))
            {
                return true;
            }
        }

        return false;
    }

    private bool AssignedBetween(ISymbol symbol, int start, int position)
    {
        if (_assignedAt.TryGetValue(symbol, out var assignments))
        {
            foreach (var assigned in assignments)
            {
                if (start < assigned && assigned <= position)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void Mark(Dictionary<ISymbol, List<Completion>> from, ISymbol symbol, IOperation where, int position)
    {
        if (!from.TryGetValue(symbol, out var completions))
        {
            from[symbol] = completions = [];
        }

        completions.Add(new Completion(position, EnclosingFunction(where)));
    }

    // The span of the lambda or local function an operation is in; null for the body itself.
    private static TextSpan? EnclosingFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (Operations.IsNestedFunction(current))
            {
                return current.Syntax.Span;
            }
        }

        return null;
    }

    private void Assigned(ISymbol symbol, int position)
    {
        if (!_assignedAt.TryGetValue(symbol, out var positions))
        {
            _assignedAt[symbol] = positions = [];
        }

        positions.Add(position);
    }

    private void Collect(IOperation operation)
    {
        switch (operation)
        {
            case IAwaitOperation awaited:
                // await t, await t.ConfigureAwait(false), await t.WaitAsync(token): t is complete once the await returns.
                var operand = SkipAwaitWrappers(awaited.Operation);
                if (KeyOf(operand) is { } symbol)
                {
                    Completed(symbol, awaited, awaited.Syntax.Span.End);
                }
                else if (IsWhenAll(operand) is { } whenAll)
                {
                    MarkArguments(whenAll, awaited, awaited.Syntax.Span.End);
                }

                break;
            case IInvocationOperation { TargetMethod: { Name: "Wait", ReturnsVoid: true, IsStatic: false } } wait
                when wait.Instance is { } instance && IsTask(wait.TargetMethod.ContainingType) && KeyOf(Operations.SkipConversions(instance)) is { } waited:
                // Wait() and Wait(CancellationToken) return only once the task is complete; Wait(timeout) returns a bool.
                Completed(waited, wait, wait.Syntax.Span.End);
                break;
            case IInvocationOperation { TargetMethod: { Name: "WaitAll", ReturnsVoid: true } } waitAll when KnownSymbols.Is(waitAll.TargetMethod.ContainingType, _known.Task):
                MarkArguments(waitAll, waitAll, waitAll.Syntax.Span.End);
                break;
            case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when IsAwaitedWhenAny(value):
                // var done = await Task.WhenAny(a, b): the task returned is complete.
                Mark(_completeFrom, declarator.Symbol, declarator, declarator.Syntax.Span.End);
                break;
            case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when IsWhenAll(Operations.SkipConversions(value)) is { } stored:
                // var all = Task.WhenAll(a, b); ... await all;
                _storedWhenAll[declarator.Symbol] = stored;
                break;
            case ISimpleAssignmentOperation { Value: { } value } assignment when KeyOf(assignment.Target) is { } target:
                Assigned(target, assignment.Syntax.Span.End);
                if (IsAwaitedWhenAny(value))
                {
                    Mark(_completeFrom, target, assignment, assignment.Syntax.Span.End);
                }
                else if (IsWhenAll(Operations.SkipConversions(value)) is { } storedLater)
                {
                    _storedWhenAll[target] = storedLater;
                }
                else
                {
                    _storedWhenAll.Remove(target);
                }

                break;
            case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } byReference when KeyOf(Operations.SkipConversions(byReference.Value)) is { } assigned:
                Assigned(assigned, byReference.Syntax.Span.End);
                break;
            case IWhileLoopOperation { Condition: { } condition, Parent: IBlockOperation loopBlock } loop when !BreaksOut(loop):
                // while (!t.IsCompleted) await Task.Delay(10);  — the loop ends only once t is complete.
                foreach (var polled in AssertedComplete(condition, whenTrue: loop.ConditionIsUntil))
                {
                    Within(polled, loop.Syntax.Span.End, loopBlock.Syntax.Span.End);
                }

                break;
            case IConditionalOperation { WhenFalse: null, WhenTrue: { } whenTrue, Parent: IBlockOperation block } exit when AlwaysExits(whenTrue):
                // if (!t.IsCompleted) return;  — t is complete in the rest of the block.
                foreach (var guarded in AssertedComplete(exit.Condition, whenTrue: false))
                {
                    Within(guarded, exit.Syntax.Span.End, block.Syntax.Span.End);
                }

                break;
        }
    }

    private void Within(ISymbol symbol, int start, int end)
    {
        if (!_completeWithin.TryGetValue(symbol, out var spans))
        {
            _completeWithin[symbol] = spans = [];
        }

        spans.Add((start, end));
    }

    // A task awaited or waited for, and the tasks given to the Task.WhenAll stored in it.
    private void Completed(ISymbol symbol, IOperation where, int position)
    {
        Mark(_completeFrom, symbol, where, position);
        if (_storedWhenAll.TryGetValue(symbol, out var whenAll))
        {
            MarkArguments(whenAll, where, position);
        }
    }

    private IInvocationOperation? IsWhenAll(IOperation operation) =>
        operation is IInvocationOperation { TargetMethod.Name: "WhenAll" } whenAll && KnownSymbols.Is(whenAll.TargetMethod.ContainingType, _known.Task) ? whenAll : null;

    // A loop a break (or a goto) can leave before its condition says so.
    private static bool BreaksOut(ILoopOperation loop)
    {
        foreach (var operation in Operations.DescendantsInFunction(loop.Body))
        {
            if (operation is IBranchOperation branch
                && (branch.BranchKind == BranchKind.GoTo || (branch.BranchKind == BranchKind.Break && SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel))))
            {
                return true;
            }
        }

        return false;
    }

    // The tasks a condition says are complete when it evaluates to whenTrue: those it names, filtered by Asserts.
    private List<ISymbol> AssertedComplete(IOperation condition, bool whenTrue)
    {
        var asserted = new List<ISymbol>();
        foreach (var operation in condition.DescendantsAndSelf())
        {
            if (KeyOf(operation) is { } symbol && IsTask(operation.Type) && !asserted.Contains(symbol, SymbolEqualityComparer.Default) && Asserts(condition, whenTrue, symbol))
            {
                asserted.Add(symbol);
            }
        }

        return asserted;
    }

    private bool IsAwaitedWhenAny(IOperation value) =>
        Operations.SkipConversions(value) is IAwaitOperation awaited
        && SkipAwaitWrappers(awaited.Operation) is IInvocationOperation { TargetMethod.Name: "WhenAny" } whenAny
        && KnownSymbols.Is(whenAny.TargetMethod.ContainingType, _known.Task);

    private void MarkArguments(IInvocationOperation invocation, IOperation where, int position)
    {
        foreach (var argument in invocation.Arguments)
        {
            MarkValue(argument.Value, where, position, 0);
        }
    }

    // WhenAll(a, b) (a params array or span), WhenAll(tasks) (an array or an enumerable of tasks), WhenAll([a, b]).
    private void MarkValue(IOperation value, IOperation where, int position, int depth)
    {
        value = Operations.SkipConversions(value);
        if (KeyOf(value) is { } symbol)
        {
            Mark(IsTask(value.Type) ? _completeFrom : _elementsCompleteFrom, symbol, where, position);
        }
        else if (depth < 4 && value is not (IInvocationOperation or IAnonymousFunctionOperation or IMemberReferenceOperation))
        {
            foreach (var child in value.ChildOperations)
            {
                MarkValue(child, where, position, depth + 1);
            }
        }
    }

    private bool IsTask(ITypeSymbol? type) =>
        KnownSymbols.IsOrDerives(type as INamedTypeSymbol, _known.Task) || KnownSymbols.Is(type, _known.ValueTask) || KnownSymbols.Is(type, _known.ValueTaskOfT);

    // t.ConfigureAwait(false), t.WaitAsync(token or timeout): awaiting them returns only once t is complete (WaitAsync
    // throws when it gives up first).
    private IOperation SkipAwaitWrappers(IOperation operation)
    {
        operation = Operations.SkipConversions(operation);
        while (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "WaitAsync", Instance: { } inner } wrapper && IsTask(wrapper.TargetMethod.ContainingType))
        {
            operation = Operations.SkipConversions(inner);
        }

        return operation;
    }

    private static bool AlwaysExits(IOperation statement)
    {
        while (statement is IBlockOperation { Operations: { Length: > 0 } statements })
        {
            statement = statements[statements.Length - 1];
        }

        return statement is IReturnOperation or IBranchOperation or IExpressionStatementOperation { Operation: IThrowOperation } or IThrowOperation;
    }

    // The guards around the call on its own path: it runs only when the guard says the task is complete.
    private bool IsGuarded(IOperation operation, ISymbol symbol)
    {
        var child = operation;
        for (var parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IConditionalOperation conditional when child == conditional.WhenTrue || child == conditional.WhenFalse:
                    if (Asserts(conditional.Condition, child == conditional.WhenTrue, symbol))
                    {
                        return true;
                    }

                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical when child == logical.RightOperand:
                    if (Asserts(logical.LeftOperand, logical.OperatorKind == BinaryOperatorKind.ConditionalAnd, symbol))
                    {
                        return true;
                    }

                    break;
                case ISwitchExpressionArmOperation arm when child == arm.Value || child == arm.Guard:
                    if ((arm.Parent is ISwitchExpressionOperation switchExpression && PatternAsserts(arm.Pattern, true, KeyOf(Operations.SkipConversions(switchExpression.Value)), symbol))
                        || (child == arm.Value && arm.Guard is { } armGuard && Asserts(armGuard, true, symbol)))
                    {
                        return true;
                    }

                    break;
                case ISwitchCaseOperation switchCase when switchCase.Parent is ISwitchOperation switchStatement && switchCase.Clauses.Length > 0:
                    var valueSymbol = KeyOf(Operations.SkipConversions(switchStatement.Value));
                    var all = true;
                    foreach (var clause in switchCase.Clauses)
                    {
                        all &= clause is IPatternCaseClauseOperation patternClause
                            && (PatternAsserts(patternClause.Pattern, true, valueSymbol, symbol) || (patternClause.Guard is { } guard && Asserts(guard, true, symbol)));
                    }

                    if (all)
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    // Whether the condition, when it evaluates to whenTrue, says the task is complete.
    private bool Asserts(IOperation condition, bool whenTrue, ISymbol symbol)
    {
        condition = Operations.SkipConversions(condition);
        switch (condition)
        {
            case IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled", Instance: { } instance } property:
                return whenTrue && IsTask(property.Property.ContainingType) && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(instance)), symbol);
            case IInvocationOperation { TargetMethod: { Name: "Wait", ReturnsVoid: false }, Instance: { } waited } wait:
                // if (t.Wait(timeout)): true only once t is complete.
                return whenTrue && IsTask(wait.TargetMethod.ContainingType) && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(waited)), symbol);
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } negation:
                return Asserts(negation.Operand, !whenTrue, symbol);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } both when whenTrue:
                return Asserts(both.LeftOperand, true, symbol) || Asserts(both.RightOperand, true, symbol);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } either when !whenTrue:
                return Asserts(either.LeftOperand, false, symbol) || Asserts(either.RightOperand, false, symbol);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison:
                var equals = comparison.OperatorKind == BinaryOperatorKind.Equals;
                var left = Operations.SkipConversions(comparison.LeftOperand);
                var right = Operations.SkipConversions(comparison.RightOperand);
                if (whenTrue == equals && (IsSameAsComplete(left, right, symbol) || IsSameAsComplete(right, left, symbol)))
                {
                    // var done = await Task.WhenAny(t, delay); if (done == t) ... t.Result
                    // if (await Task.WhenAny(t, delay) == t) ... t.Result
                    return true;
                }

                if (right.ConstantValue is { HasValue: true, Value: bool rightValue })
                {
                    return Asserts(left, whenTrue == (equals == rightValue), symbol);
                }

                if (left.ConstantValue is { HasValue: true, Value: bool leftValue })
                {
                    return Asserts(right, whenTrue == (equals == leftValue), symbol);
                }

                // t.Status == TaskStatus.RanToCompletion (or Faulted, Canceled)
                return whenTrue == equals && (IsFinalStatus(left, right, symbol) || IsFinalStatus(right, left, symbol));
            case IIsPatternOperation isPattern:
                if (isPattern.Pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: bool constant } })
                {
                    return Asserts(isPattern.Value, whenTrue == constant, symbol);
                }

                return PatternAsserts(isPattern.Pattern, whenTrue, KeyOf(Operations.SkipConversions(isPattern.Value)), symbol);
            default:
                return false;
        }
    }

    private bool IsSameAsComplete(IOperation task, IOperation other, ISymbol symbol) =>
        SymbolEqualityComparer.Default.Equals(KeyOf(task), symbol)
        && (IsAwaitedWhenAny(other) || (KeyOf(other) is { } otherSymbol && IsFrom(_completeFrom, otherSymbol, other.Syntax.SpanStart)));

    private bool IsFinalStatus(IOperation status, IOperation value, ISymbol symbol) =>
        status is IPropertyReferenceOperation { Property.Name: "Status", Instance: { } instance } property
        && IsTask(property.Property.ContainingType)
        && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(instance)), symbol)
        && value is IFieldReferenceOperation { Field.Name: "RanToCompletion" or "Faulted" or "Canceled" };

    // Whether a pattern, matching (whenTrue) or not, says its input (valueSymbol, or a variable it declares) is complete:
    // { IsCompleted: true }, { IsCompletedSuccessfully: true }, { Status: TaskStatus.RanToCompletion }.
    private bool PatternAsserts(IPatternOperation pattern, bool whenTrue, ISymbol? valueSymbol, ISymbol symbol)
    {
        switch (pattern)
        {
            case INegatedPatternOperation negated:
                return PatternAsserts(negated.Pattern, !whenTrue, valueSymbol, symbol);
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both when whenTrue:
                return PatternAsserts(both.LeftPattern, true, valueSymbol, symbol) || PatternAsserts(both.RightPattern, true, valueSymbol, symbol);
            case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } either when !whenTrue:
                return PatternAsserts(either.LeftPattern, false, valueSymbol, symbol) || PatternAsserts(either.RightPattern, false, valueSymbol, symbol);
            case IRecursivePatternOperation recursive when whenTrue:
                if (!SymbolEqualityComparer.Default.Equals(valueSymbol, symbol) && !SymbolEqualityComparer.Default.Equals(recursive.DeclaredSymbol, symbol))
                {
                    return false;
                }

                foreach (var subpattern in recursive.PropertySubpatterns)
                {
                    if (subpattern.Member is IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled" } member
                        && IsTask(member.Property.ContainingType)
                        && subpattern.Pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: true } })
                    {
                        return true;
                    }

                    if (subpattern.Member is IPropertyReferenceOperation { Property.Name: "Status" } status
                        && IsTask(status.Property.ContainingType)
                        && subpattern.Pattern is IConstantPatternOperation { Value: var constant } && Operations.SkipConversions(constant) is IFieldReferenceOperation { Field.Name: "RanToCompletion" or "Faulted" or "Canceled" })
                    {
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    // tasks[i], tasks.First(): the collection the element is read from.
    private static IOperation? ElementOf(IOperation task) => task switch
    {
        IArrayElementReferenceOperation array => array.ArrayReference,
        IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance } => instance,
        IInvocationOperation { TargetMethod: { Name: "First" or "Last" or "Single" or "ElementAt" or "FirstOrDefault" or "LastOrDefault" or "SingleOrDefault" or "ElementAtOrDefault", ContainingType.Name: "Enumerable" } } invocation
            when invocation.Arguments.Length > 0 => invocation.Arguments[0].Value,
        _ => null,
    };

    // The collection a sequence comes from, through LINQ operators that keep its elements (Where, OrderBy, ToList...).
    private static ISymbol? CollectionSymbol(IOperation collection)
    {
        for (var i = 0; i < 16; i++)
        {
            collection = Operations.SkipConversions(collection);
            if (collection is IInvocationOperation { TargetMethod: { ContainingType.Name: "Enumerable", Name: "Where" or "OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending" or "Take" or "Skip" or "TakeWhile" or "SkipWhile" or "ToList" or "ToArray" or "AsEnumerable" or "Reverse" or "Distinct" or "Cast" or "OfType" } } linq
                && linq.Arguments.Length > 0)
            {
                collection = linq.Arguments[0].Value;
                continue;
            }

            return KeyOf(collection);
        }

        return null;
    }

    // For a lambda parameter, the collection of the call the lambda is given to (tasks.Select(t => ...),
    // tasks.ForEach(t => ...)); for a foreach variable, the loop's collection.
    private static ISymbol? SourceCollection(IOperation operation, ISymbol symbol)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda when symbol is IParameterSymbol parameter && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, lambda.Symbol):
                    if (parameter.Ordinal != 0)
                    {
                        return null;
                    }

                    var call = lambda.Parent;
                    while (call is IDelegateCreationOperation or IConversionOperation or IArgumentOperation)
                    {
                        call = call.Parent;
                    }

                    if (call is not IInvocationOperation invocation)
                    {
                        return null;
                    }

                    var source = invocation.Instance ?? (invocation.Arguments.Length > 1 && invocation.TargetMethod.IsExtensionMethod ? invocation.Arguments[0].Value : null);
                    return source is null ? null : CollectionSymbol(source);
                case IForEachLoopOperation loop when symbol is ILocalSymbol && ContainsLocal(loop.Locals, symbol):
                    return CollectionSymbol(loop.Collection);
            }
        }

        return null;
    }

    private static bool ContainsLocal(System.Collections.Immutable.ImmutableArray<ILocalSymbol> locals, ISymbol symbol)
    {
        foreach (var local in locals)
        {
            if (SymbolEqualityComparer.Default.Equals(local, symbol))
            {
                return true;
            }
        }

        return false;
    }

    // A completion: from a position on, within a lambda or local function (its span), or within the whole body (null).
    private readonly record struct Completion(int From, TextSpan? Function);
}
