using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
/// lambdas in it), not in the function around a lambda it is in, not in a local function it is around, and not after
/// the variable is assigned again; and only on the paths through it: one in a branch, a loop body, a catch or the right
/// of <c>&amp;&amp;</c> counts there, unless the other path completes the task too.
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

    // A local holding the result of `await Task.WhenAny(...)`: the WhenAny it came from.
    private readonly Dictionary<ISymbol, IInvocationOperation> _whenAnyOf = new(SymbolEqualityComparer.Default);

    // A task complete within a span: after `if (!t.IsCompleted) return;`, to the end of the enclosing block.
    private readonly Dictionary<ISymbol, List<(int Start, int End)>> _completeWithin = new(SymbolEqualityComparer.Default);

    // The tasks put into a collection (`tasks.Add(t)`, `var tasks = new[] { a, b }`), with the statement that put them:
    // awaiting the collection with WhenAll completes them too.
    private readonly Dictionary<ISymbol, List<(ISymbol Task, IOperation Statement)>> _putInto = new(SymbolEqualityComparer.Default);

    // Where a collection loses elements (`tasks.Remove(t)`, `tasks.Clear()`): a task put in before may not be awaited.
    private readonly Dictionary<ISymbol, List<int>> _shrunkAt = new(SymbolEqualityComparer.Default);

    // How many operations of a branch CompletesThroughout looks at, at most.
    // A local flag of a task's completion (`var tried = t?.IsCompleted == true;`, YARP's HttpForwarder, review 53): its
    // initializer and where it ends; the flags assigned again (compound assignment) are in _flagsRewritten.
    private readonly Dictionary<ISymbol, (IOperation Condition, int Position)> _flags = new(SymbolEqualityComparer.Default);

    private readonly HashSet<ISymbol> _flagsRewritten = new(SymbolEqualityComparer.Default);

    // A guard that holds to the end of a block (an early exit, a poll loop, an assertion) whose condition reads a local
    // `bool` (`if (!done) return;`, review 54): read again once the body is collected, when a flag is known never to be
    // assigned again, nor its task.
    private readonly List<(IOperation Condition, bool WhenTrue, int Start, int End)> _flagGuards = [];

    private const int MaxBranchSearch = 256;

    // How many operations CompletesThroughout may look at in one body, in all.
    private int _branchSearchBudget = 100_000;

    // Whether the lists of _assignedAt are sorted (once the body is collected).
    private bool _sorted;

    // The async methods of the compilation that complete a task they are given (null: not followed, in a helper's body).
    private readonly CompletingHelpers? _helpers;

    private TaskCompletion(KnownSymbols known, CompletingHelpers? helpers)
    {
        _known = known;
        _helpers = helpers;
    }

    /// <summary>Collects the completions of a body in one pass.</summary>
    /// <param name="root">The root of the operation block.</param>
    /// <param name="known">The known types.</param>
    /// <param name="helpers">The compilation's completing helpers, followed where awaited; null not to follow them.</param>
    /// <returns>The completions.</returns>
    public static TaskCompletion Build(IOperation root, KnownSymbols known, CompletingHelpers? helpers = null)
    {
        var facts = new TaskCompletion(known, helpers);
        foreach (var operation in root.DescendantsAndSelf())
        {
            facts.Collect(operation);
        }

        // Sorted, for a binary search per question: a large method asks many.
        foreach (var positions in facts._assignedAt.Values)
        {
            positions.Sort();
        }

        facts._sorted = true;
        foreach (var (condition, whenTrue, start, end) in facts._flagGuards)
        {
            foreach (var guarded in facts.AssertedComplete(condition, whenTrue))
            {
                facts.Within(guarded, start, end);
            }
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
        if (IsPickedComplete(task))
        {
            return true;
        }

        if (ElementOf(task) is { } element)
        {
            return CollectionSymbol(element) is { } collection && IsFrom(_elementsCompleteFrom, collection, operation);
        }

        if (KeyOf(task) is not { } symbol)
        {
            return false;
        }

        if (IsFrom(_completeFrom, symbol, operation) || IsGuarded(operation, symbol))
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

        // An element drawn from a sequence filtered as complete (tasks.Where(t => t.IsCompleted).Select(t => t.Result),
        // review 68), or from a collection awaited with WhenAll: a lambda parameter (tasks.Select(t => t.Result)) or a
        // foreach variable (foreach (var t in tasks)).
        if (SourceSequence(operation, symbol) is not { } sequence)
        {
            return false;
        }

        return IsFilteredComplete(sequence) || (_elementsCompleteFrom.Count > 0 && CollectionSymbol(sequence) is { } source && IsFrom(_elementsCompleteFrom, source, operation));
    }

    // tasks.First(t => t.IsCompleted), FirstOrDefault, Single, Last (also `?.Result` of one): the element the predicate
    // picks is complete (review 68).
    private bool IsPickedComplete(IOperation task)
    {
        if (task is IConditionalAccessInstanceOperation && ConditionalAccessOf(task) is { } access)
        {
            task = Operations.SkipConversions(access.Operation);
        }

        return task is IInvocationOperation { TargetMethod: { ContainingType.Name: "Enumerable", Name: "First" or "FirstOrDefault" or "Single" or "SingleOrDefault" or "Last" or "LastOrDefault" } } pick
            && pick.Arguments.Length == 2 && PredicateAssertsComplete(pick.Arguments[1].Value);
    }

    // A sequence filtered by a Where whose predicate says its task is complete, through operators that keep the
    // elements (OrderBy, ToList, another Where...): `tasks.Where(t => t.IsCompletedSuccessfully)` (review 68).
    private bool IsFilteredComplete(IOperation sequence)
    {
        for (var i = 0; i < 16; i++)
        {
            sequence = Operations.SkipConversions(sequence);
            if (sequence is not IInvocationOperation { TargetMethod: { ContainingType.Name: "Enumerable", Name: var name } } linq || linq.Arguments.Length == 0 || !KeepsElements(name))
            {
                return false;
            }

            if (name == "Where" && linq.Arguments.Length == 2 && PredicateAssertsComplete(linq.Arguments[1].Value))
            {
                return true;
            }

            sequence = linq.Arguments[0].Value;
        }

        return false;
    }

    // `t => t.IsCompleted`, as a guard `if (t.IsCompleted)` would say it (a flag, Status, a pattern).
    private bool PredicateAssertsComplete(IOperation argument)
    {
        while (argument is IDelegateCreationOperation or IConversionOperation)
        {
            argument = argument is IDelegateCreationOperation creation ? creation.Target : ((IConversionOperation)argument).Operand;
        }

        return argument is IAnonymousFunctionOperation { Symbol.Parameters.Length: > 0 } lambda
            && lambda.Body.Operations.Length == 1 && lambda.Body.Operations[0] is IReturnOperation { ReturnedValue: { } value }
            && Asserts(value, true, lambda.Symbol.Parameters[0]);
    }

    private static bool KeepsElements(string name) => name is "Where" or "OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending" or "Take" or "Skip"
        or "TakeWhile" or "SkipWhile" or "ToList" or "ToArray" or "AsEnumerable" or "Reverse" or "Distinct" or "Cast" or "OfType";

    /// <summary>
    /// Tests whether a task parameter, never assigned in the body, is complete at every way out of it: each
    /// <c>return</c> (after its value) and the end of the body, unless its last statement leaves.
    /// </summary>
    /// <param name="parameter">The parameter.</param>
    /// <param name="body">The body the completions were built from.</param>
    /// <param name="exits">The body's return statements (not in nested functions).</param>
    /// <returns>True if the method returns normally only with the task complete.</returns>
    public bool IsCompleteOnEveryExit(IParameterSymbol parameter, IOperation body, IReadOnlyList<IReturnOperation> exits)
    {
        if (_assignedAt.ContainsKey(parameter))
        {
            return false;
        }

        foreach (var exit in exits)
        {
            if (!IsCompleteAt(parameter, exit, exit.Syntax.Span.End))
            {
                return false;
            }
        }

        var last = body is IBlockOperation { Operations: { Length: > 0 } statements } ? statements[statements.Length - 1] : null;
        return (last is not null && AlwaysExits(last)) || IsCompleteAt(parameter, body, body.Syntax.Span.End);
    }

    // Complete at a position: after a completion on every path to it, or within a span a guard makes complete, or under
    // a guard around the operation.
    private bool IsCompleteAt(ISymbol symbol, IOperation where, int position)
    {
        if (_completeFrom.TryGetValue(symbol, out var completions)
            && completions.Exists(c => c.From <= position && (c.Function is not { } function || function.Contains(position - 1))))
        {
            return true;
        }

        if (_completeWithin.TryGetValue(symbol, out var spans) && spans.Exists(s => s.Start <= position - 1 && position - 1 < s.End))
        {
            return true;
        }

        return where is not IBlockOperation && IsGuarded(where, symbol);
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
        if (operation is IConditionalAccessInstanceOperation && ConditionalAccessOf(operation) is { } access)
        {
            // t?.Result, t?.IsCompleted: the instance is t.
            return KeyOf(Operations.SkipConversions(access.Operation));
        }

        if (operation is IPropertyReferenceOperation { Property.IsIndexer: false, Instance: { } instance } property
            && property.Property.Locations.All(location => location.IsInMetadata)
            && Operations.SkipConversions(instance) is not IInstanceReferenceOperation)
        {
            return ReferencedSymbol(Operations.SkipConversions(instance));
        }

        return ReferencedSymbol(operation);
    }

    // The conditional access whose `?.` an instance reference stands for.
    private static IConditionalAccessOperation? ConditionalAccessOf(IOperation instance)
    {
        var child = instance;
        for (var current = instance.Parent; current is not null; child = current, current = current.Parent)
        {
            if (current is IConditionalAccessOperation access && child == access.WhenNotNull)
            {
                return access;
            }
        }

        return null;
    }

    // Complete where an operation is: a completion before it, on every path to it (within the region the completion
    // runs in: its function, the branch or loop body it is in), with no assignment between. In a local function, only a
    // completion in that function counts: it may be called before the code around it completes the task.
    private bool IsFrom(Dictionary<ISymbol, List<Completion>> from, ISymbol symbol, IOperation operation)
    {
        if (!from.TryGetValue(symbol, out var completions))
        {
            return false;
        }

        var position = operation.Syntax.SpanStart;
        var localFunction = EnclosingLocalFunction(operation);
        // The latest completion first: the one most likely to hold (no assignment since).
        for (var i = completions.Count - 1; i >= 0; i--)
        {
            var completion = completions[i];
            if (completion.From <= position && (completion.Function is not { } function || function.Contains(position))
                && (localFunction is not { } local || local.Contains(completion.From)) && !AssignedBetween(symbol, completion.From, position))
            {
                return true;
            }
        }

        return false;
    }

    private bool AssignedAfter(ISymbol symbol, int position) =>
        _assignedAt.TryGetValue(symbol, out var assignments) && assignments.Exists(assigned => assigned > position);

    private bool AssignedBetween(ISymbol symbol, int start, int position)
    {
        if (!_assignedAt.TryGetValue(symbol, out var assignments))
        {
            return false;
        }

        if (!_sorted)
        {
            // While the body is being collected (a condition read then): the positions are not sorted yet.
            return assignments.Exists(assigned => start < assigned && assigned <= position);
        }

        // The first assignment after start.
        var index = assignments.BinarySearch(start + 1);
        if (index < 0)
        {
            index = ~index;
        }

        while (index > 0 && assignments[index - 1] > start)
        {
            index--;
        }

        return index < assignments.Count && assignments[index] <= position;
    }

    private void Mark(Dictionary<ISymbol, List<Completion>> from, ISymbol symbol, IOperation where, int position, bool mayGiveUp = false)
    {
        if (!from.TryGetValue(symbol, out var completions))
        {
            from[symbol] = completions = [];
        }

        completions.Add(new Completion(position, Region(where, symbol, mayGiveUp)));
    }

    // The span of the innermost local function an operation is in; null outside any.
    private static TextSpan? EnclosingLocalFunction(IOperation operation)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is ILocalFunctionOperation)
            {
                return current.Syntax.Span;
            }
        }

        return null;
    }

    // Where a completion holds: the span of the innermost code around it that may not run on every path through its
    // function (a branch, a loop body, a catch, the right of && or ??), or of the lambda or local function it is in;
    // null for the whole body. A branch whose other path also leaves the task complete (`if (!t.IsCompleted) await t;`)
    // or leaves (`else return;`) does not limit it. A wait that may give up (WaitAsync with a timeout or a token) holds
    // only in the rest of a try whose catch can swallow its TimeoutException or OperationCanceledException.
    private TextSpan? Region(IOperation operation, ISymbol symbol, bool mayGiveUp, IOperation? stop = null)
    {
        var child = operation;
        for (var parent = operation.Parent; parent is not null && child != stop; child = parent, parent = parent.Parent)
        {
            if (Operations.IsNestedFunction(parent))
            {
                return parent.Syntax.Span;
            }

            var conditional = parent switch
            {
                IConditionalOperation branch when child == branch.WhenTrue || child == branch.WhenFalse =>
                    !OtherPathCompletes(branch, child == branch.WhenTrue, symbol),
                IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical => child == logical.RightOperand,
                ICoalesceOperation coalesce => child == coalesce.WhenNull,
                IConditionalAccessOperation access => child == access.WhenNotNull,
                IWhileLoopOperation loop => child == loop.Body && ((loop.ConditionIsTop && !IsConstantTrue(loop.Condition)) || !LoopExitsCovered(loop, symbol)),
                IForLoopOperation loop => (child == loop.Body || loop.AtLoopBottom.Contains(child)) && ((loop.Condition is not null && !IsConstantTrue(loop.Condition)) || !LoopExitsCovered(loop, symbol)),
                IForEachLoopOperation loop => child == loop.Body,
                ISwitchCaseOperation section => !SwitchCompletes(section, symbol),
                ISwitchExpressionArmOperation arm => child != arm.Value || !SwitchExpressionCompletes(arm, symbol),
                ICatchClauseOperation => true,
                ITryOperation @try => mayGiveUp && child == @try.Body && Swallows(@try),
                _ => false,
            };
            if (conditional)
            {
                return child.Syntax.Span;
            }
        }

        return null;
    }

    // `switch (k) { case 1: await t; break; default: await t; break; }`: a switch with a default section where every way
    // out of the switch (a break of it, a goto to a label outside it) comes after an await of the task on its path. Sections
    // that leave the function, loop on (continue) or jump to another section (goto case) do not reach the code after the
    // switch; a nested switch's or loop's break leaves only that. An await covers a way out when both are in one statement
    // list, the await first and on every path through its statement (review 34: `if (b) break; else await t;` and
    // `if (b) goto after;` before the await read as complete after the switch).
    private bool SwitchCompletes(ISwitchCaseOperation section, ISymbol symbol)
    {
        if (section.Parent is not ISwitchOperation @switch || !HasDefault(@switch))
        {
            return false;
        }

        foreach (var each in @switch.Cases)
        {
            foreach (var operation in Operations.DescendantsInFunction(each))
            {
                if (operation is IBranchOperation exit && Leaves(exit, @switch) && !Covered(exit, each, symbol))
                {
                    return false;
                }
            }
        }

        return true;
    }

    // `k switch { 1 => await t, _ => await t.ConfigureAwait(false) }`: a switch expression whose every arm awaits the task
    // or throws completes it after the expression (none matching throws too; review 34).
    private bool SwitchExpressionCompletes(ISwitchExpressionArmOperation arm, ISymbol symbol)
    {
        if (arm.Parent is not ISwitchExpressionOperation @switch)
        {
            return false;
        }

        foreach (var other in @switch.Arms)
        {
            var value = Operations.SkipConversions(other.Value);
            if (other != arm && value is not IThrowOperation && !CompletesThroughout(value, symbol)
                && !(value is IAwaitOperation awaited && SymbolEqualityComparer.Default.Equals(KeyOf(SkipAwaitWrappers(awaited.Operation, out _)), symbol)))
            {
                return false;
            }
        }

        return true;
    }

    // `while (true) { if (b) break; await t; break; }`: a loop that always runs its body (while (true), for (;;), do ... while)
    // completes the task after it only when every way out of it (its break, a goto to a label outside it, and in a
    // do ... while a continue, which goes to the condition) comes after an await of the task (review 34: a break before the
    // await read as complete after the loop).
    private bool LoopExitsCovered(ILoopOperation loop, ISymbol symbol)
    {
        var continueLeaves = loop is IWhileLoopOperation { ConditionIsTop: false } doWhile && !IsConstantTrue(doWhile.Condition);
        foreach (var operation in Operations.DescendantsInFunction(loop.Body))
        {
            if (operation is IBranchOperation exit && exit.BranchKind switch
            {
                BranchKind.Break => SymbolEqualityComparer.Default.Equals(exit.Target, loop.ExitLabel),
                BranchKind.Continue => continueLeaves && SymbolEqualityComparer.Default.Equals(exit.Target, loop.ContinueLabel),
                BranchKind.GoTo => GoesOutside(exit, loop),
                _ => false,
            } && !Covered(exit, loop.Body, symbol))
            {
                return false;
            }
        }

        return true;
    }

    // A goto to a label outside the operation (goto case and goto default stay in their switch).
    private static bool GoesOutside(IBranchOperation branch, IOperation around) =>
        !branch.Syntax.IsKind(SyntaxKind.GotoCaseStatement) && !branch.Syntax.IsKind(SyntaxKind.GotoDefaultStatement)
            && !(branch.Target.Locations.Length > 0 && branch.Target.Locations[0].IsInSource && around.Syntax.Span.Contains(branch.Target.Locations[0].SourceSpan));

    // A break of this switch, or a goto to a label outside it (goto case and goto default stay inside).
    private static bool Leaves(IBranchOperation branch, ISwitchOperation @switch) => branch.BranchKind switch
    {
        BranchKind.Break => SymbolEqualityComparer.Default.Equals(branch.Target, @switch.ExitLabel),
        BranchKind.GoTo => GoesOutside(branch, @switch),
        _ => false,
    };

    // Whether an await of the task in the scope (a switch section, a loop's body) comes before the way out on every path to it: the two in one statement
    // list (or the await in the condition of the if the way out is in), the await first, nothing between the await and
    // that list that may skip it (Region up to the list's statement).
    private bool Covered(IBranchOperation exit, IOperation scope, ISymbol symbol)
    {
        foreach (var operation in Operations.DescendantsInFunction(scope))
        {
            if (operation is not IAwaitOperation awaited || awaited.Syntax.Span.End > exit.Syntax.SpanStart
                || !SymbolEqualityComparer.Default.Equals(KeyOf(SkipAwaitWrappers(awaited.Operation, out var mayGiveUp)), symbol))
            {
                continue;
            }

            IOperation child = awaited;
            for (var parent = awaited.Parent; parent is not null; child = parent, parent = parent.Parent)
            {
                if (!parent.Syntax.Span.Contains(exit.Syntax.Span))
                {
                    continue;
                }

                var shared = parent is IBlockOperation or ISwitchCaseOperation || (parent is IConditionalOperation branch && child == branch.Condition);
                if (shared && Region(awaited, symbol, mayGiveUp, child) is null)
                {
                    return true;
                }

                break;
            }
        }

        return false;
    }

    private static bool HasDefault(ISwitchOperation @switch)
    {
        foreach (var section in @switch.Cases)
        {
            foreach (var clause in section.Clauses)
            {
                if (clause.CaseKind == CaseKind.Default)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool IsConstantTrue(IOperation? condition) => condition?.ConstantValue is { HasValue: true, Value: true };

    // `if (!t.IsCompleted) await t;`: on the path that skips the branch the condition says t is complete; or that
    // path leaves (`else return;`).
    private bool OtherPathCompletes(IConditionalOperation branch, bool inWhenTrue, ISymbol symbol)
    {
        var other = inWhenTrue ? branch.WhenFalse : branch.WhenTrue;
        return (other is not null && (AlwaysExits(other) || CompletesThroughout(other, symbol))) || AssertsComplete(branch.Condition, !inWhenTrue, symbol);
    }

    // `if (slow) await t.WaitAsync(timeout); else await t;`: the other branch awaits the task on every path through
    // it. Only a small branch is searched (each await in it asks again of the branches inside it).
    private bool CompletesThroughout(IOperation branch, ISymbol symbol)
    {
        var seen = 0;
        foreach (var operation in Operations.DescendantsInFunction(branch))
        {
            // A body of deeply nested branches searches each inside the other: bounded per body too.
            if (++seen > MaxBranchSearch || --_branchSearchBudget < 0)
            {
                return false;
            }

            if (operation is IAwaitOperation awaited
                && SymbolEqualityComparer.Default.Equals(KeyOf(SkipAwaitWrappers(awaited.Operation, out var mayGiveUp)), symbol)
                && Region(awaited, symbol, mayGiveUp, branch) is null)
            {
                return true;
            }
        }

        return false;
    }

    // A catch that can swallow what WaitAsync throws when it gives up: one for TimeoutException or
    // OperationCanceledException (or a base of them), that does not leave (rethrow, return).
    private static bool Swallows(ITryOperation @try)
    {
        foreach (var handler in @try.Catches)
        {
            var type = handler.ExceptionType;
            var catches = type is null || type.SpecialType == SpecialType.System_Object
                || (type.ContainingNamespace?.ToDisplayString() is "System" or "System.Threading.Tasks"
                    && type.Name is "Exception" or "SystemException" or "TimeoutException" or "OperationCanceledException" or "TaskCanceledException");
            if (catches && !AlwaysExits(handler.Handler))
            {
                return true;
            }
        }

        return false;
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
                var operand = SkipAwaitWrappers(awaited.Operation, out var mayGiveUp);
                if (KeyOf(operand) is { } symbol)
                {
                    Completed(symbol, awaited, awaited.Syntax.Span.End, mayGiveUp);
                }
                else if (IsWhenAll(operand) is { } whenAll)
                {
                    MarkArguments(whenAll, awaited, awaited.Syntax.Span.End, mayGiveUp);
                }
                else if (_helpers is not null && operand is IInvocationOperation call && _helpers.CompletedParameters(call.TargetMethod) is { Length: > 0 } completed)
                {
                    // await WithTimeout(t, timeout): an async helper of the compilation that returns only once t is complete
                    // (review 46).
                    foreach (var argument in call.Arguments)
                    {
                        if (argument.Parameter is { } parameter && completed.Contains(parameter.Ordinal)
                            && KeyOf(Operations.SkipConversions(argument.Value)) is { } argumentSymbol)
                        {
                            Completed(argumentSymbol, awaited, awaited.Syntax.Span.End, mayGiveUp);
                        }
                    }
                }
                else if (operand is IInvocationOperation external && ExternalCompletingHelpers.Receiver(external, _known, out var returnsFlag) is { } receiver
                    && !returnsFlag && KeyOf(receiver) is { } receiverSymbol)
                {
                    // await t.ShouldCompleteWithin(timeout): a helper of another assembly named as a wait for its receiver,
                    // which throws when it gives up, as WaitAsync does (review 47, akka.net's test kit).
                    Completed(receiverSymbol, awaited, awaited.Syntax.Span.End, mayGiveUp: true);
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
                _whenAnyOf[declarator.Symbol] = AwaitedWhenAny(value)!;
                break;
            case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when IsWhenAll(Operations.SkipConversions(value)) is { } stored:
                // var all = Task.WhenAll(a, b); ... await all;
                _storedWhenAll[declarator.Symbol] = stored;
                break;
            case ISimpleAssignmentOperation { Value: { } value } assignment when KeyOf(assignment.Target) is { } target:
                Assigned(target, assignment.Syntax.Span.End);
                _whenAnyOf.Remove(target);
                if (AwaitedWhenAny(value) is { } whenAny)
                {
                    Mark(_completeFrom, target, assignment, assignment.Syntax.Span.End);
                    _whenAnyOf[target] = whenAny;
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
            case IVariableDeclaratorOperation { Initializer.Value: { } value, Symbol.Type.SpecialType: SpecialType.System_Boolean } flagDeclarator:
                // var tried = t?.IsCompleted == true;  — read where the flag is (Asserts).
                _flags[flagDeclarator.Symbol] = (value, flagDeclarator.Syntax.Span.End);
                break;
            case ICompoundAssignmentOperation { Target: ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } rewritten }:
                _flagsRewritten.Add(rewritten.Local);
                break;
            case IVariableDeclaratorOperation { Initializer.Value: { } value } declarator when !IsTask(declarator.Symbol.Type):
                // var tasks = new[] { a, b };  var tasks = new List<Task> { a, b };  List<Task> tasks = [a, b];
                foreach (var element in InitialElements(Operations.SkipConversions(value)))
                {
                    PutInto(declarator.Symbol, element, declarator);
                }

                break;
            case IInvocationOperation { TargetMethod.Name: "Add", Instance: { } list, Arguments.Length: 1 } add when KeyOf(Operations.SkipConversions(list)) is { } collection:
                // tasks.Add(t);
                PutInto(collection, add.Arguments[0].Value, add);
                break;
            case IInvocationOperation { TargetMethod.Name: "Clear" or "Remove" or "RemoveAt" or "RemoveAll" or "RemoveRange" or "RemoveWhere", Instance: { } list } shrink when KeyOf(Operations.SkipConversions(list)) is { } shrunk:
                if (!_shrunkAt.TryGetValue(shrunk, out var shrinks))
                {
                    _shrunkAt[shrunk] = shrinks = [];
                }

                shrinks.Add(shrink.Syntax.Span.End);
                break;
            case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } byReference when KeyOf(Operations.SkipConversions(byReference.Value)) is { } assigned:
                Assigned(assigned, byReference.Syntax.Span.End);
                break;
            case IWhileLoopOperation { Condition: { } condition } loop when BlockOf(loop) is { } loopBlock && !BreaksOut(loop):
                // while (!t.IsCompleted) await Task.Delay(10);  — the loop ends only once t is complete.
                CompleteWithin(condition, loop.ConditionIsUntil, loop.Syntax.Span.End, loopBlock.Syntax.Span.End);

                break;
            case IForEachLoopOperation { IsAsynchronous: true, Body: { } eachBody } whenEachLoop when IsWhenEach(whenEachLoop.Collection):
                // await foreach (var t in Task.WhenEach(tasks)): each task is yielded once complete (review 48: dotNext's
                // RaftCluster.PreVoteAsync, through a local function `=> Task.WhenEach(...)`).
                foreach (var local in whenEachLoop.Locals)
                {
                    Mark(_completeFrom, local, eachBody, eachBody.Syntax.SpanStart);
                }

                break;
            case IForEachLoopOperation { Collection: { } collection } eachLoop when CollectionSymbol(collection) is { } tasks && !SkipsElements(eachLoop) && AwaitsEachElement(eachLoop):
                // foreach (var t in tasks) await t;  — every element of tasks is complete after the loop, as after WhenAll.
                Mark(_elementsCompleteFrom, tasks, eachLoop, eachLoop.Syntax.Span.End);
                break;
            case IExpressionStatementOperation { Operation: IInvocationOperation assertion } statement
                when BlockOf(statement) is { } assertBlock && AssertedCondition(assertion) is { } asserted:
                // Assert.True(t.IsCompleted);  — a test framework's assertion throws when false: t is complete in the rest
                // of the block (review 45, vs-threading's tests); t.Wait(timeout).Should().BeTrue(); (review 46, akka.net's).
                CompleteWithin(asserted.Condition, asserted.WhenTrue, statement.Syntax.Span.End, assertBlock.Syntax.Span.End);

                break;
            case IConditionalOperation { WhenFalse: null, WhenTrue: { } whenTrue } exit when BlockOf(exit) is { } block && AlwaysExits(whenTrue):
                // if (!t.IsCompleted) return;  — t is complete in the rest of the block.
                CompleteWithin(exit.Condition, whenTrue: false, exit.Syntax.Span.End, block.Syntax.Span.End);

                break;
        }
    }

    // The condition an assertion statement throws unless it holds, and the value it must have: `Assert.True(c)`,
    // `Assert.IsTrue(c)`, `Assert.That(c)` (xunit, MSTest, NUnit: a static method of a type named Assert whose first
    // parameter is a bool), `Assert.False(c)`/`IsFalse(c)` (c false); `c.ShouldBeTrue()`/`ShouldBeFalse()` (Shouldly,
    // akka.net's test kit: a static method of that name whose first parameter is the bool); FluentAssertions'
    // `c.Should().BeTrue()`/`BeFalse()` (review 46: akka.net's `t.Wait(timeout).Should().BeTrue(); ... t.Result`). Not
    // Debug.Assert, which does nothing in a release build.
    private static (IOperation Condition, bool WhenTrue)? AssertedCondition(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.IsStatic && FirstIsBool(method)
            && ((method.ContainingType.Name == "Assert" && method.Name is "True" or "IsTrue" or "That" or "False" or "IsFalse")
                || method.Name is "ShouldBeTrue" or "ShouldBeFalse")
            && FirstArgument(invocation) is { } condition)
        {
            return (condition, method.Name is "True" or "IsTrue" or "That" or "ShouldBeTrue");
        }

        if (!method.IsStatic && method.Name is "BeTrue" or "BeFalse" && invocation.Instance is { } instance
            && Operations.SkipConversions(instance) is IInvocationOperation { TargetMethod: { IsStatic: true, Name: "Should" } should } shouldCall
            && FirstIsBool(should) && FirstArgument(shouldCall) is { } subject)
        {
            return (subject, method.Name == "BeTrue");
        }

        return null;

        static bool FirstIsBool(IMethodSymbol method) =>
            method.OriginalDefinition.Parameters.Length > 0 && method.OriginalDefinition.Parameters[0].Type.SpecialType == SpecialType.System_Boolean;

        static IOperation? FirstArgument(IInvocationOperation invocation)
        {
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Ordinal == 0)
                {
                    return argument.Value;
                }
            }

            return null;
        }
    }

    // The tasks a condition says are complete when it evaluates to whenTrue are complete from start to end; a condition
    // reading a local bool is read again once the body is collected (a flag of a task's completion, _flagGuards).
    private void CompleteWithin(IOperation condition, bool whenTrue, int start, int end)
    {
        foreach (var guarded in AssertedComplete(condition, whenTrue))
        {
            Within(guarded, start, end);
        }

        if (condition.DescendantsAndSelf().Any(o => o is ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean }))
        {
            _flagGuards.Add((condition, whenTrue, start, end));
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

    // The block a statement is in, also under a label (`poll: if (...) { ...; goto poll; }`).
    private static IBlockOperation? BlockOf(IOperation statement) => statement.Parent switch
    {
        IBlockOperation block => block,
        ILabeledOperation { Parent: IBlockOperation block } => block,
        _ => null,
    };

    // A task awaited or waited for, and the tasks given to the Task.WhenAll stored in it.
    private void Completed(ISymbol symbol, IOperation where, int position, bool mayGiveUp = false)
    {
        Mark(_completeFrom, symbol, where, position, mayGiveUp);
        if (_storedWhenAll.TryGetValue(symbol, out var whenAll))
        {
            MarkArguments(whenAll, where, position, mayGiveUp);
        }
    }

    private IInvocationOperation? IsWhenAll(IOperation operation) =>
        operation is IInvocationOperation { TargetMethod.Name: "WhenAll" } whenAll && KnownSymbols.Is(whenAll.TargetMethod.ContainingType, _known.Task) ? whenAll : null;

    // A foreach whose body may not reach its end for an element: a break, a continue or a goto.
    private static bool SkipsElements(IForEachLoopOperation loop)
    {
        foreach (var operation in Operations.DescendantsInFunction(loop.Body))
        {
            if (operation is IBranchOperation branch
                && (branch.BranchKind == BranchKind.GoTo
                    || SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel)
                    || SymbolEqualityComparer.Default.Equals(branch.Target, loop.ContinueLabel)))
            {
                return true;
            }
        }

        return false;
    }

    // Whether a foreach body awaits its element (or a task read from it: `await job.Task`) on every path through it.
    private bool AwaitsEachElement(IForEachLoopOperation loop)
    {
        foreach (var operation in Operations.DescendantsInFunction(loop.Body))
        {
            if (operation is IAwaitOperation awaited
                && KeyOf(SkipAwaitWrappers(awaited.Operation, out var mayGiveUp)) is ILocalSymbol element
                && ContainsLocal(loop.Locals, element)
                && Region(awaited, element, mayGiveUp, loop.Body) is null)
            {
                return true;
            }
        }

        return false;
    }

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
            Named(operation, 0);
        }

        return asserted;

        void Named(IOperation operation, int depth)
        {
            if (_sorted && depth < 4 && operation is ILocalReferenceOperation { Local: var flag } && _flags.TryGetValue(flag, out var stored))
            {
                // if (!done) return;  — the tasks done's initializer names (Asserts says whether the flag still holds).
                foreach (var inner in stored.Condition.DescendantsAndSelf())
                {
                    Named(inner, depth + 1);
                }

                return;
            }

            if (KeyOf(operation) is not { } symbol || !(IsTask(operation.Type) || IsAwaiter(operation.Type)))
            {
                return;
            }

            Consider(symbol);
            if (_whenAnyOf.TryGetValue(symbol, out var whenAny) && WhenAnyTasks(whenAny) is { } tasks)
            {
                // if (done == delay) return;  — says something of the other task given to WhenAny.
                foreach (var task in tasks)
                {
                    if (KeyOf(task) is { } other)
                    {
                        Consider(other);
                    }
                }
            }
        }

        void Consider(ISymbol symbol)
        {
            if (!asserted.Contains(symbol, SymbolEqualityComparer.Default) && Asserts(condition, whenTrue, symbol))
            {
                asserted.Add(symbol);
                if (_storedWhenAll.TryGetValue(symbol, out var whenAll) && WhenAnyTasks(whenAll) is { } members)
                {
                    // var all = Task.WhenAll(a, b); if (await Task.WhenAny(all, delay) != all) throw ...;  — a and b too.
                    foreach (var member in members)
                    {
                        if (KeyOf(member) is { } memberKey && !asserted.Contains(memberKey, SymbolEqualityComparer.Default))
                        {
                            asserted.Add(memberKey);
                        }
                    }
                }
            }
        }
    }

    private bool IsAwaitedWhenAny(IOperation value) => AwaitedWhenAny(value) is not null;

    // await Task.WhenAny(...) (with ConfigureAwait): the WhenAny.
    private IInvocationOperation? AwaitedWhenAny(IOperation value) =>
        Operations.SkipConversions(value) is IAwaitOperation awaited
        && SkipAwaitWrappers(awaited.Operation, out _) is IInvocationOperation { TargetMethod.Name: "WhenAny" } whenAny
        && KnownSymbols.Is(whenAny.TargetMethod.ContainingType, _known.Task) ? whenAny : null;

    // The tasks given to WhenAny (or WhenAll) one by one (WhenAny(a, b), a params array or span, [a, b]); null for a
    // collection.
    private static List<IOperation>? WhenAnyTasks(IInvocationOperation whenAny)
    {
        var tasks = new List<IOperation>();
        foreach (var argument in whenAny.Arguments)
        {
            switch (Operations.SkipConversions(argument.Value))
            {
                case IArrayCreationOperation { Initializer: { } initializer }:
                    tasks.AddRange(initializer.ElementValues.Select(Operations.SkipConversions));
                    break;
                case ICollectionExpressionOperation collection:
                    tasks.AddRange(collection.Elements.Select(Operations.SkipConversions));
                    break;
                case var single when argument.Parameter?.Type is INamedTypeSymbol { Name: "Task" }:
                    tasks.Add(single);
                    break;
                default:
                    return null;
            }
        }

        return tasks;
    }

    // `if (await Task.WhenAny(t, delay) == delay) throw ...;` (or through `var done = await Task.WhenAny(t, delay)`):
    // WhenAny of two tasks returns one of them, so when its result is not the other one, it is t, complete.
    private bool IsOtherThanAlternative(IOperation result, IOperation alternative, ISymbol symbol)
    {
        if (KeyOf(alternative) is not { } alternativeKey || SymbolEqualityComparer.Default.Equals(alternativeKey, symbol))
        {
            return false;
        }

        var whenAny = AwaitedWhenAny(result);
        if (whenAny is null && KeyOf(result) is { } resultKey && _whenAnyOf.TryGetValue(resultKey, out var stored) && IsFrom(_completeFrom, resultKey, result))
        {
            whenAny = stored;
        }

        if (whenAny is null || WhenAnyTasks(whenAny) is not { Count: 2 } tasks)
        {
            return false;
        }

        var first = KeyOf(tasks[0]);
        var second = KeyOf(tasks[1]);
        return (SymbolEqualityComparer.Default.Equals(first, symbol) && SymbolEqualityComparer.Default.Equals(second, alternativeKey))
            || (SymbolEqualityComparer.Default.Equals(first, alternativeKey) && SymbolEqualityComparer.Default.Equals(second, symbol));
    }

    private void MarkArguments(IInvocationOperation invocation, IOperation where, int position, bool mayGiveUp = false)
    {
        foreach (var argument in invocation.Arguments)
        {
            MarkValue(argument.Value, where, position, 0, mayGiveUp);
        }
    }

    // WhenAll(a, b) (a params array or span), WhenAll(tasks) (an array or an enumerable of tasks), WhenAll([a, b]).
    private void MarkValue(IOperation value, IOperation where, int position, int depth, bool mayGiveUp)
    {
        value = Operations.SkipConversions(value);
        if (KeyOf(value) is { } symbol)
        {
            if (IsTask(value.Type))
            {
                Mark(_completeFrom, symbol, where, position, mayGiveUp);
            }
            else
            {
                MarkElements(symbol, where, position, mayGiveUp);
            }
        }
        else if (CopiedCollection(value) is { } copied)
        {
            // WhenAll(tasks.ToArray()): the copy holds every element of tasks.
            MarkElements(copied, where, position, mayGiveUp);
        }
        else if (depth < 4 && value is not (IInvocationOperation or IAnonymousFunctionOperation or IMemberReferenceOperation or IConditionalOperation or ICoalesceOperation))
        {
            foreach (var child in value.ChildOperations)
            {
                MarkValue(child, where, position, depth + 1, mayGiveUp);
            }
        }
    }

    // Every element of a collection is complete, and so is each task put into it before, on every path to here (its
    // statement in a block around this one), and not taken out or replaced since.
    private void MarkElements(ISymbol collection, IOperation where, int position, bool mayGiveUp)
    {
        Mark(_elementsCompleteFrom, collection, where, position, mayGiveUp);
        if (!_putInto.TryGetValue(collection, out var tasks))
        {
            return;
        }

        foreach (var (task, statement) in tasks)
        {
            var put = statement.Syntax.Span.End;
            if (put <= position && Encloses(statement, where) && !AssignedBetween(task, put, position) && !AssignedBetween(collection, put, position)
                && !(_shrunkAt.TryGetValue(collection, out var shrinks) && shrinks.Exists(at => put < at && at <= position)))
            {
                Mark(_completeFrom, task, where, position, mayGiveUp);
            }
        }
    }

    private void PutInto(ISymbol collection, IOperation element, IOperation where)
    {
        element = Operations.SkipConversions(element);
        if (!IsTask(element.Type) || KeyOf(element) is not { } task)
        {
            return;
        }

        if (!_putInto.TryGetValue(collection, out var tasks))
        {
            _putInto[collection] = tasks = [];
        }

        tasks.Add((task, where));
    }

    // The elements written in a collection's initializer: an array, a collection initializer, a collection expression.
    private static IEnumerable<IOperation> InitialElements(IOperation value)
    {
        switch (value)
        {
            case IArrayCreationOperation { Initializer: { } array }:
                return array.ElementValues;
            case IObjectCreationOperation { Initializer: { } initializer }:
                return initializer.Initializers.OfType<IInvocationOperation>().Where(add => add.Arguments.Length == 1).Select(add => add.Arguments[0].Value);
            case ICollectionExpressionOperation collection:
                return collection.Elements;
            default:
                return [];
        }
    }

    // Whether the statement that holds an operation runs on every path to another: it is a statement of a block around
    // that one, in the same function.
    private static bool Encloses(IOperation operation, IOperation other)
    {
        var statement = operation;
        while (statement.Parent is { } parent and not IBlockOperation)
        {
            if (Operations.IsNestedFunction(parent))
            {
                return false;
            }

            statement = parent;
        }

        // A statement of its own (`tasks.Add(t);`, a declaration), not the branch of an `if` or the body of a loop.
        if (statement.Parent is not IBlockOperation block || statement is not (IExpressionStatementOperation or IVariableDeclarationGroupOperation))
        {
            return false;
        }

        for (var current = other.Parent; current is not null; current = current.Parent)
        {
            if (current == block)
            {
                return true;
            }

            if (Operations.IsNestedFunction(current))
            {
                return false;
            }
        }

        return false;
    }

    // tasks.ToArray(), tasks.ToList(), tasks.AsEnumerable(): a copy of (or a view on) every element of a collection
    // variable; filters (Where, Take) keep only some, and are not copies.
    private ISymbol? CopiedCollection(IOperation value)
    {
        if (value is not IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" or "AsEnumerable" } copy)
        {
            return null;
        }

        var ns = copy.TargetMethod.ContainingType.ContainingNamespace?.ToDisplayString() ?? "";
        var source = copy.Instance is { } instance && ns.StartsWith("System.Collections", StringComparison.Ordinal) ? instance
            : KnownSymbols.Is(copy.TargetMethod.ContainingType, _known.Enumerable) && copy.Arguments.Length == 1 ? copy.Arguments[0].Value : null;
        if (source is null)
        {
            return null;
        }

        source = Operations.SkipConversions(source);
        return IsTask(source.Type) ? null : KeyOf(source);
    }

    // A task's awaiter (TaskAwaiter, ConfiguredTaskAwaitable<T>.ConfiguredTaskAwaiter, ValueTaskAwaiter<T>): its
    // IsCompleted is its task's.
    private static bool IsAwaiter(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: var name } named && name.EndsWith("Awaiter", StringComparison.Ordinal)
        && named.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices";

    private bool IsTask(ITypeSymbol? type) =>
        KnownSymbols.IsOrDerives(type as INamedTypeSymbol, _known.Task) || KnownSymbols.Is(type, _known.ValueTask) || KnownSymbols.Is(type, _known.ValueTaskOfT);

    // t.ConfigureAwait(false), t.WaitAsync(token or timeout): awaiting them returns only once t is complete (WaitAsync
    // throws when it gives up first).
    // mayGiveUp: a WaitAsync among them, which throws when its timeout or token ends the wait first.
    // A helper of the code's own that returns a configured awaitable (StackExchange.Redis's `t.ForAwait()`, `=>
    // t.ConfigureAwait(false)`) is ConfigureAwait too: such an awaitable comes only from a task's ConfigureAwait, and the
    // task at hand is the one it extends.
    private IOperation SkipAwaitWrappers(IOperation operation, out bool mayGiveUp)
    {
        mayGiveUp = false;
        operation = Operations.SkipConversions(operation);
        while (true)
        {
            if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "WaitAsync", Instance: { } inner } wrapper && IsTask(wrapper.TargetMethod.ContainingType))
            {
                mayGiveUp |= wrapper.TargetMethod.Name == "WaitAsync";
                operation = Operations.SkipConversions(inner);
            }
            else if (operation is IInvocationOperation { TargetMethod.IsExtensionMethod: true, Instance: null, Arguments.Length: > 0 } helper
                && IsConfiguredAwaitable(helper.Type) && IsTask(Operations.SkipConversions(helper.Arguments[0].Value).Type))
            {
                operation = Operations.SkipConversions(helper.Arguments[0].Value);
            }
            else
            {
                return operation;
            }
        }
    }

    // ConfiguredTaskAwaitable(<T>) and ConfiguredValueTaskAwaitable(<T>): what ConfigureAwait returns.
    private static bool IsConfiguredAwaitable(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "ConfiguredTaskAwaitable" or "ConfiguredValueTaskAwaitable" } named
        && named.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices";

    private static bool AlwaysExits(IOperation statement)
    {
        while (statement is IBlockOperation { Operations: { Length: > 0 } statements })
        {
            statement = statements[statements.Length - 1];
        }

        // yield return goes on after the caller's next MoveNext: not an exit.
        return statement is IReturnOperation { Kind: not OperationKind.YieldReturn } or IBranchOperation or IExpressionStatementOperation { Operation: IThrowOperation } or IThrowOperation;
    }

    // The guards around the call on its own path: it runs only when the guard says the task is complete (and the
    // variable is not assigned between the guard and the call).
    private bool IsGuarded(IOperation operation, ISymbol symbol)
    {
        var child = operation;
        for (var parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (Guards(parent, child, symbol))
            {
                return !AssignedBetween(symbol, parent.Syntax.SpanStart, operation.Syntax.SpanStart);
            }
        }

        return false;
    }

    private bool Guards(IOperation parent, IOperation child, ISymbol symbol)
    {
        switch (parent)
        {
            case IConditionalOperation conditional when child == conditional.WhenTrue || child == conditional.WhenFalse:
                return AssertsComplete(conditional.Condition, child == conditional.WhenTrue, symbol);
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } logical when child == logical.RightOperand:
                return AssertsComplete(logical.LeftOperand, logical.OperatorKind == BinaryOperatorKind.ConditionalAnd, symbol);
            case ISwitchExpressionArmOperation arm when child == arm.Value || child == arm.Guard:
                return (arm.Parent is ISwitchExpressionOperation switchExpression && CaseAsserts(arm.Pattern, switchExpression.Value, symbol))
                    || (child == arm.Value && arm.Guard is { } armGuard && Asserts(armGuard, true, symbol));
            case ISwitchCaseOperation switchCase when switchCase.Parent is ISwitchOperation switchStatement && switchCase.Clauses.Length > 0:
                foreach (var clause in switchCase.Clauses)
                {
                    var asserts = clause switch
                    {
                        IPatternCaseClauseOperation patternClause => CaseAsserts(patternClause.Pattern, switchStatement.Value, symbol) || (patternClause.Guard is { } guard && Asserts(guard, true, symbol)),
                        // case TaskStatus.RanToCompletion:
                        ISingleValueCaseClauseOperation single => (IsStatusOf(switchStatement.Value, symbol) && IsFinalStatusValue(single.Value))
                            || (single.Value.ConstantValue is { HasValue: true, Value: bool flag } && Asserts(switchStatement.Value, flag, symbol)),
                        _ => false,
                    };
                    if (!asserts)
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }

    // A case of a switch on the task (`{ IsCompleted: true }`) or on its Status (`TaskStatus.RanToCompletion`); a case of a
    // switch on a completion flag (`switch (t.IsCompleted) { case true: ... }`, review 34) says what the
    // condition would.
    private bool CaseAsserts(IPatternOperation pattern, IOperation switchValue, ISymbol symbol) =>
        IsStatusOf(switchValue, symbol)
            ? StatusPatternAsserts(pattern, true)
            : PatternAsserts(pattern, true, KeyOf(Operations.SkipConversions(switchValue)), symbol)
                || (pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: bool flag } } && Asserts(switchValue, flag, symbol));

    // t.Status (t?.Status too).
    private bool IsStatusOf(IOperation value, ISymbol symbol)
    {
        value = Operations.SkipConversions(value);
        if (value is IConditionalAccessOperation access)
        {
            value = Operations.SkipConversions(access.WhenNotNull);
        }

        return value is IPropertyReferenceOperation { Property.Name: "Status", Instance: { } instance } property
            && IsTask(property.Property.ContainingType)
            && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(instance)), symbol);
    }

    private static bool IsFinalStatusValue(IOperation value) =>
        Operations.SkipConversions(value) is IFieldReferenceOperation { Field: { Name: "RanToCompletion" or "Faulted" or "Canceled", ContainingType.Name: "TaskStatus" } };

    // Whether a pattern on a task's Status, matching (whenTrue) or not, says the task is complete.
    private static bool StatusPatternAsserts(IPatternOperation pattern, bool whenTrue) => pattern switch
    {
        IConstantPatternOperation constant => whenTrue && IsFinalStatusValue(constant.Value),
        INegatedPatternOperation negated => StatusPatternAsserts(negated.Pattern, !whenTrue),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } either when whenTrue => StatusPatternAsserts(either.LeftPattern, true) && StatusPatternAsserts(either.RightPattern, true),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.And } both when whenTrue => StatusPatternAsserts(both.LeftPattern, true) || StatusPatternAsserts(both.RightPattern, true),
        IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or } either => StatusPatternAsserts(either.LeftPattern, false) || StatusPatternAsserts(either.RightPattern, false),
        _ => false,
    };

    // Whether the condition, when it evaluates to whenTrue, says the task is complete, itself or as one of the tasks
    // given to a Task.WhenAll stored in a local (`all == await Task.WhenAny(all, delay) ? a.Result : -1`).
    private bool AssertsComplete(IOperation condition, bool whenTrue, ISymbol symbol)
    {
        if (Asserts(condition, whenTrue, symbol))
        {
            return true;
        }

        foreach (var pair in _storedWhenAll)
        {
            if (WhenAnyTasks(pair.Value) is { } members
                && members.Exists(member => SymbolEqualityComparer.Default.Equals(KeyOf(member), symbol))
                && Asserts(condition, whenTrue, pair.Key))
            {
                return true;
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
                return whenTrue && (IsTask(property.Property.ContainingType) || IsAwaiter(property.Property.ContainingType))
                    && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(instance)), symbol);
            case IInvocationOperation { TargetMethod: { IsStatic: true, Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled", ReturnType.SpecialType: SpecialType.System_Boolean, Parameters.Length: 1 } } polyfill
                when polyfill.Arguments.Length == 1 && IsTask(polyfill.TargetMethod.Parameters[0].Type):
                // t.IsCompletedSuccessfully(): an extension of the code's own standing in for the property (netstandard2.0
                // lacks Task.IsCompletedSuccessfully; MassTransit's `task.Status == TaskStatus.RanToCompletion`, review 45).
                return whenTrue && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(polyfill.Arguments[0].Value)), symbol);
            case IInvocationOperation { TargetMethod: { Name: "Wait", ReturnsVoid: false }, Instance: { } waited } wait:
                // if (t.Wait(timeout)): true only once t is complete.
                return whenTrue && IsTask(wait.TargetMethod.ContainingType) && SymbolEqualityComparer.Default.Equals(KeyOf(Operations.SkipConversions(waited)), symbol);
            case IAwaitOperation awaitedFlag when whenTrue && Operations.SkipConversions(SkipAwaitWrappers(awaitedFlag.Operation, out _)) is IInvocationOperation flagCall
                && ExternalCompletingHelpers.Receiver(flagCall, _known, out var isFlag) is { } flagged && isFlag:
                // Assert.True(await t.AwaitWithTimeout(timeout)): true only once t is complete, as t.Wait(timeout) (review 47).
                return SymbolEqualityComparer.Default.Equals(KeyOf(flagged), symbol);
            case ILocalReferenceOperation { Local: var flag } when _sorted && _flags.TryGetValue(flag, out var stored)
                && !_flagsRewritten.Contains(flag) && !_assignedAt.ContainsKey(flag) && !AssignedAfter(symbol, stored.Position):
                // if (tried) ... t.Result, tried being `t?.IsCompleted == true` and never assigned again, nor t after it: a
                // task once complete stays complete (review 53). Read once the body is collected (every assignment seen).
                return Asserts(stored.Condition, whenTrue, symbol);
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

                if (whenTrue != equals && (IsOtherThanAlternative(left, right, symbol) || IsOtherThanAlternative(right, left, symbol)))
                {
                    // if (await Task.WhenAny(t, delay) == delay) throw ...; t.Result
                    return true;
                }

                // A lifted comparison (t?.IsCompleted == true) says its operand's value only when it is equal: null is
                // neither true nor false.
                if (comparison.IsLifted && whenTrue != equals)
                {
                    return false;
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
            case IConditionalAccessOperation access when whenTrue:
                // t?.IsCompleted (compared with true): non-null and true.
                return Asserts(access.WhenNotNull, true, symbol);
            case ICoalesceOperation { WhenNull.ConstantValue: { HasValue: true, Value: false } } coalesce when whenTrue:
                // t?.IsCompleted ?? false
                return Asserts(coalesce.Value, true, symbol);
            case IIsPatternOperation isPattern:
                if (isPattern.Pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: bool constant } })
                {
                    // `x is false` not matching says nothing of a bool? that may be null.
                    return (whenTrue || isPattern.Value.Type?.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T)
                        && Asserts(isPattern.Value, whenTrue == constant, symbol);
                }

                if (IsStatusOf(isPattern.Value, symbol))
                {
                    return StatusPatternAsserts(isPattern.Pattern, whenTrue);
                }

                return PatternAsserts(isPattern.Pattern, whenTrue, KeyOf(Operations.SkipConversions(isPattern.Value)), symbol);
            default:
                return false;
        }
    }

    private bool IsSameAsComplete(IOperation task, IOperation other, ISymbol symbol) =>
        SymbolEqualityComparer.Default.Equals(KeyOf(task), symbol)
        && (IsAwaitedWhenAny(other) || (KeyOf(other) is { } otherSymbol && IsFrom(_completeFrom, otherSymbol, other)));

    private bool IsFinalStatus(IOperation status, IOperation value, ISymbol symbol) => IsStatusOf(status, symbol) && IsFinalStatusValue(value);

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
            case IRecursivePatternOperation { DeconstructionSubpatterns.IsEmpty: true, PropertySubpatterns.Length: 1 } failed
                when !whenTrue && (SymbolEqualityComparer.Default.Equals(valueSymbol, symbol) || SymbolEqualityComparer.Default.Equals(failed.DeclaredSymbol, symbol)):
            {
                // `t is not { IsCompleted: false }`: a pattern whose only test is a completion flag compared with false fails
                // when the task is null (its result throws anyway) or the flag is true.
                var only = failed.PropertySubpatterns[0];
                return only.Member is IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled" } flag
                    && IsTask(flag.Property.ContainingType)
                    && only.Pattern is IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: false } };
            }

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
            if (collection is IInvocationOperation { TargetMethod: { ContainingType.Name: "Enumerable", Name: var name } } linq && KeepsElements(name)
                && linq.Arguments.Length > 0)
            {
                collection = linq.Arguments[0].Value;
                continue;
            }

            return KeyOf(collection);
        }

        return null;
    }

    // For a lambda parameter, the sequence of the call the lambda is given to (tasks.Select(t => ...),
    // tasks.ForEach(t => ...)); for a foreach variable, the loop's collection.
    private static IOperation? SourceSequence(IOperation operation, ISymbol symbol)
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

                    return invocation.Instance ?? (invocation.Arguments.Length > 1 && invocation.TargetMethod.IsExtensionMethod ? invocation.Arguments[0].Value : null);
                case IForEachLoopOperation loop when symbol is ILocalSymbol && ContainsLocal(loop.Locals, symbol):
                    return loop.Collection;
            }
        }

        return null;
    }

    // Task.WhenEach(...), through ConfigureAwait or WithCancellation, or a method of the same tree whose body is only
    // `=> Task.WhenEach(...)`.
    private static bool IsWhenEach(IOperation collection)
    {
        var operation = Operations.SkipConversions(collection);
        while (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" or "WithCancellation" } configured
            && (configured.Instance ?? (configured.TargetMethod.IsExtensionMethod && configured.Arguments.Length > 0 ? configured.Arguments[0].Value : null)) is { } inner)
        {
            // An instance method (ConfiguredCancelableAsyncEnumerable's) or an extension of IAsyncEnumerable (its receiver first).
            operation = Operations.SkipConversions(inner);
        }

        if (operation is not IInvocationOperation { TargetMethod: var method } || operation.SemanticModel is not { } model)
        {
            return false;
        }

        if (IsWhenEachMethod(method))
        {
            return true;
        }

        return method.DeclaringSyntaxReferences.Length == 1 && method.DeclaringSyntaxReferences[0].SyntaxTree == model.SyntaxTree
            && method.DeclaringSyntaxReferences[0].GetSyntax() switch
            {
                MethodDeclarationSyntax { ExpressionBody.Expression: InvocationExpressionSyntax body } => model.GetSymbolInfo(body).Symbol is IMethodSymbol called && IsWhenEachMethod(called),
                LocalFunctionStatementSyntax { ExpressionBody.Expression: InvocationExpressionSyntax body } => model.GetSymbolInfo(body).Symbol is IMethodSymbol called && IsWhenEachMethod(called),
                _ => false,
            };
    }

    private static bool IsWhenEachMethod(IMethodSymbol method) =>
        method is { Name: "WhenEach", IsStatic: true, ContainingType: { Name: "Task", ContainingNamespace: var ns } } && ns.ToDisplayString() == "System.Threading.Tasks";

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

    // A completion: from a position on, within a region (a branch, a loop body, a try, a lambda or local function: its
    // span), or within the whole body (null).
    private readonly record struct Completion(int From, TextSpan? Function);
}
