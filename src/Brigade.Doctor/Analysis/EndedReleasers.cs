using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.Diagnostics.Runtime;
using static Brigade.Doctor.Analysis.IlReader;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Review 64c: threads blocked without a timeout in <c>SemaphoreSlim.Wait</c> on a semaphore with no free slot, no thread or
/// flow shown to hold or release it, whose releasing task has ended: Canceled (<c>Task.Run(() =&gt; ready.Release(), token)</c>
/// with a token cancelled before it ran, or an <c>OperationCanceledException</c> before its <c>Release</c>) or Faulted. Before,
/// "No pitfall found". An ended task no longer refers to its code (the runtime drops a task's delegate and clears a box's
/// state machine), so its code is read from what is left: its delegate when still set, its state machine's type, the stack of
/// the exception it holds, or (cancelled before it ran: nothing is left) the lambdas of the objects the waiting threads hold
/// this very semaphore through (a closure, an instance) that call its <c>Release</c> and that no thread runs. Always a
/// <em>possible</em> hang: code the dump does not show (a timer's callback, a later request) may still release it.
/// Review 65: a semaphore in a static field has no such object (a lambda that captures nothing is on the compiler's
/// singleton closure): the code that loads that very static field (its value read in the app domain, no heap walk) and
/// calls <c>Release</c> counts too, and (cancelled before it ran) the lambdas of the waiting code's types and of the
/// static's type that do.
/// </summary>
internal static class EndedReleasers
{
    /// <summary>One semaphore's waiters and the ended task that was to release it.</summary>
    /// <param name="Waiters">The managed ids of the threads waiting on it.</param>
    /// <param name="Task">The ended task, in words ("a task cancelled before it ran ...").</param>
    /// <param name="Releaser">Its code that calls <c>Release</c>: "Shop.Main (lambda) (Program.cs:15)".</param>
    internal sealed record Found(List<int> Waiters, string Task, string Releaser);

    private const int Call = 0x28;
    private const int CallVirt = 0x6F;
    private const int LdStaticField = 0x7E;
    private const int MaxVisited = 2_000;

    public static List<Found> Find(IEnumerable<ThreadScan> semaphoreWaits, IReadOnlyList<ThreadScan> scans, AsyncHeap heap, SourceLines? lines)
    {
        var found = new List<Found>();
        var ended = heap.CancelledTasks.Concat(heap.FaultedTasks).Concat(heap.FaultedBoxes).ToList();
        if (ended.Count == 0)
        {
            return found;
        }

        var metadata = new Dictionary<ClrModule, MetadataReader?>();
        var running = scans.SelectMany(s => s.Frames).Select(f => (f.TypeName, f.MethodName)).ToHashSet();
        foreach (var group in semaphoreWaits.Where(s => s.Owners.Count == 0 && !s.Target.IsNull
            && s.Detail?.Contains(", its slot taken by async flow ", StringComparison.Ordinal) != true).GroupBy(s => s.Target.Address))
        {
            var semaphore = group.Key;
            var holders = HolderTypes(group, semaphore);

            // Review 65: held in a static field (a lambda that captured nothing holds no closure of it).
            var inStatic = group.Any(s => s.TargetHeldIn?.StartsWith("static field ", StringComparison.Ordinal) == true)
                ? new StaticHeld(semaphore, group.ToList(), metadata) : null;
            if (holders.Count == 0 && inStatic is null)
            {
                continue;
            }

            foreach (var task in ended)
            {
                if (Releaser(task, holders, inStatic, running, metadata, lines) is { } hit)
                {
                    found.Add(new Found([.. group.Select(s => s.ManagedId)], hit.Task, hit.Releaser));
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>The types of the objects that hold <paramref name="semaphore"/> itself in a field, reached from what the
    /// waiting threads' frames root within three references (a frame may no longer root a lambda's closure, but the thread's
    /// start delegate or a wrapper's closure reaches it): a lambda's closure, the instance whose method waits.</summary>
    private static Dictionary<string, ClrType> HolderTypes(IEnumerable<ThreadScan> waiters, ulong semaphore)
    {
        var types = new Dictionary<string, ClrType>(StringComparer.Ordinal);
        var seen = new HashSet<ulong> { semaphore };
        var level = waiters.SelectMany(w => w.Frames).SelectMany(f => f.Roots).Where(r => r is { IsNull: false, IsValid: true }).ToList();
        for (var depth = 0; depth < 4 && level.Count > 0 && seen.Count < MaxVisited; depth++)
        {
            var next = new List<ClrObject>();
            foreach (var obj in level)
            {
                if (!seen.Add(obj.Address) || obj.Type is not { Name: { } name } type || type.IsArray || type.IsString)
                {
                    continue;
                }

                foreach (var field in type.Fields.Where(f => f.IsObjectReference && f.Name is not null))
                {
                    if (!obj.TryReadObjectField(field.Name!, out var value) || value is not { IsNull: false, IsValid: true })
                    {
                        continue;
                    }

                    if (value.Address == semaphore)
                    {
                        types.TryAdd(name, type);
                    }
                    else if (value.Type?.Name != "System.Threading.SemaphoreSlim")
                    {
                        next.Add(value);
                    }
                }
            }

            level = next;
        }

        return types;
    }

    private static (string Task, string Releaser)? Releaser(ClrObject task, Dictionary<string, ClrType> holders, StaticHeld? inStatic, HashSet<(string, string)> running,
        Dictionary<ClrModule, MetadataReader?> metadata, SourceLines? lines)
    {
        var cancelled = TaskReader.IsCanceled(task);

        // Its delegate, when the runtime has not dropped it: its target must hold this very semaphore's holder type, or
        // (review 65) its method load the static field that holds it.
        if (task.TryReadObjectField("m_action", out var action) && action is { IsNull: false, IsValid: true })
        {
            if (!action.TryReadObjectField("_target", out var target) || target is not { IsNull: false, IsValid: true, Type.Name: { } targetType } || !holders.TryGetValue(targetType, out var holder))
            {
                return inStatic is not null && DelegateMethod(action) is { } own && inStatic.ReleaseAt(own, lines) is { } releases ? (Ended(task, cancelled, lines), releases) : null;
            }

            // The delegate's method, or (its pointer a stub to code never compiled, which the dump cannot map) the lambdas of
            // its target that release the semaphore and that no thread runs.
            var at = DelegateMethod(action) is { } method ? ReleaseAt(method, metadata, lines) : UnrunLambdaReleasing(holder, running, metadata, lines);
            return at is null ? null : (Ended(task, cancelled, lines), at);
        }

        // An async method: its state machine's type (the box's generic argument) has a field of a holder type, or of
        // SemaphoreSlim (a parameter, a field: its value is cleared, so by type only).
        if (TaskReader.MachineOf(task) is { Type: var machine })
        {
            if (machine.Fields.Any(f => f.IsObjectReference && f.Type?.Name is { } n && (holders.ContainsKey(n) || n == "System.Threading.SemaphoreSlim"))
                && machine.Methods.FirstOrDefault(m => m.Name == "MoveNext") is { } moveNext && ReleaseAt(moveNext, metadata, lines) is { } at)
            {
                return (Ended(task, cancelled, lines), at);
            }

            // Review 65: an async method that releases the static field's semaphore holds no field of it.
            return inStatic is not null && machine.Methods.FirstOrDefault(m => m.Name == "MoveNext") is { } next && inStatic.ReleaseAt(next, lines) is { } releases
                ? (Ended(task, cancelled, lines), releases)
                : null;
        }

        // A delegate's task that threw (or was cancelled while it ran): the methods its exception's stack went through.
        if ((cancelled ? TaskReader.CancellationExceptionOf(task) : TaskReader.ExceptionObjectOf(task)) is { } exception)
        {
            foreach (var method in TaskReader.StackOf(exception))
            {
                if ((method.Type?.Name is { } n && holders.ContainsKey(n) ? ReleaseAt(method, metadata, lines) : inStatic?.ReleaseAt(method, lines)) is { } at)
                {
                    return (Ended(task, cancelled, lines), at);
                }
            }

            return null;
        }

        // Cancelled before it ran (no exception recorded; not a TaskCompletionSource's task, which never had code): nothing
        // of its code is left. A lambda of a holder (a delegate's code, as Task.Run takes) that releases it and that no
        // thread runs is the one it would have run, unless code the dump does not show is.
        if (cancelled && !TaskReader.IsPromise(task))
        {
            foreach (var holder in holders.Values)
            {
                if (UnrunLambdaReleasing(holder, running, metadata, lines) is { } at)
                {
                    return ("a task cancelled before it ran (the runtime dropped its delegate)", at);
                }
            }

            // Review 65: a lambda that loads the static field holding it (on the compiler's singleton closure when it
            // captures nothing), among the types of the waiting code and of that static.
            if (inStatic?.UnrunLambdaReleasing(running, lines) is { } releases)
            {
                return ("a task cancelled before it ran (the runtime dropped its delegate)", releases);
            }
        }

        return null;
    }

    /// <summary>
    /// Review 65: a semaphore held in a static field, and the code that releases it: a method that loads a static field
    /// whose value (read in the app domain, as <c>HolderFinder</c> reads the statics: no heap walk) is this very semaphore,
    /// and calls <c>Release</c>. The lambdas looked at when a task's code is gone are those of the waiting code's types and
    /// of the static's own type, with the types nested in them (the compiler's closures).
    /// </summary>
    private sealed class StaticHeld(ulong semaphore, List<ThreadScan> waiters, Dictionary<ClrModule, MetadataReader?> metadata)
    {
        private readonly Dictionary<ulong, bool> _loads = [];

        /// <summary>Where <paramref name="method"/> calls <c>Release</c>, if it loads the static field holding the semaphore.</summary>
        public string? ReleaseAt(ClrMethod method, SourceLines? lines) => LoadsIt(method) ? EndedReleasers.ReleaseAt(method, metadata, lines) : null;

        /// <summary>Where a lambda that no thread runs loads the static field and calls <c>Release</c>, or null.</summary>
        public string? UnrunLambdaReleasing(HashSet<(string, string)> running, SourceLines? lines)
        {
            foreach (var type in Family())
            {
                foreach (var method in type.Methods.Where(m => m.Name?.Contains(">b__", StringComparison.Ordinal) == true && !running.Contains((m.Type?.Name ?? "", m.Name!))))
                {
                    if (ReleaseAt(method, lines) is { } at)
                    {
                        return at;
                    }
                }
            }

            return null;
        }

        /// <summary>Whether <paramref name="method"/>'s IL loads (<c>ldsfld</c>) a static field of its module whose value is the semaphore.</summary>
        private bool LoadsIt(ClrMethod method)
        {
            if (_loads.TryGetValue(method.MethodDesc, out var known))
            {
                return known;
            }

            var loads = false;
            try
            {
                if (method.Type?.Module is { AppDomain: { } domain } module && ModuleMetadata(module, metadata) is { } md
                    && domain.Runtime.DataTarget.DataReader is { } data && Body(method, data) is { } body)
                {
                    foreach (var instruction in Decode(body).Where(i => i.Op == LdStaticField))
                    {
                        var handle = MetadataTokens.EntityHandle((int)instruction.Operand);
                        if (handle.Kind != HandleKind.FieldDefinition)
                        {
                            continue;
                        }

                        var definition = md.GetFieldDefinition((FieldDefinitionHandle)handle);
                        if (module.GetTypeByName(TypeName(md, definition.GetDeclaringType()))?.GetStaticFieldByName(md.GetString(definition.Name)) is { IsObjectReference: true } field
                            && field.IsInitialized(domain) && field.ReadObject(domain).Address == semaphore)
                        {
                            loads = true;
                            break;
                        }
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or BadImageFormatException or NullReferenceException)
            {
                // Unreadable IL, metadata or static: not this code.
            }

            _loads[method.MethodDesc] = loads;
            return loads;
        }

        /// <summary>The application's types of the waiting frames and of the static's declared type (from its name, "static
        /// field Ns.Outer.Inner.F", nested types written with '.'), each outermost type with the types nested in it.</summary>
        private List<ClrType> Family()
        {
            var outer = new Dictionary<string, ClrType>(StringComparer.Ordinal);
            void AddOutermost(ClrType? type)
            {
                if (type is not { Name: { } name, Module: { } module })
                {
                    return;
                }

                var plus = name.IndexOf('+', StringComparison.Ordinal);
                var top = plus > 0 ? module.GetTypeByName(name[..plus]) : type;
                if (top?.Name is { } topName)
                {
                    outer.TryAdd(topName, top);
                }
            }

            var modules = new List<ClrModule>();
            foreach (var frame in waiters.SelectMany(w => w.Frames).Where(f => !f.IsFramework))
            {
                AddOutermost(frame.Frame.Method?.Type);
                if (frame.Frame.Method?.Type?.Module is { } module && !modules.Contains(module))
                {
                    modules.Add(module);
                }
            }

            foreach (var heldIn in waiters.Select(w => w.TargetHeldIn).OfType<string>().Where(h => h.StartsWith("static field ", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
            {
                var dotted = heldIn["static field ".Length..];
                var last = dotted.LastIndexOf('.');
                var typeName = last > 0 ? dotted[..last] : "";
                foreach (var module in modules)
                {
                    // The first name that is a type, its dots taken from the right as nesting ('+') ones: Ns.Outer.Inner,
                    // then Ns.Outer+Inner, ...
                    for (var name = typeName; name.Length > 0;)
                    {
                        if (module.GetTypeByName(name) is { } type)
                        {
                            AddOutermost(type);
                            break;
                        }

                        var dot = name.LastIndexOf('.');
                        if (dot <= 0)
                        {
                            break;
                        }

                        name = $"{name[..dot]}+{name[(dot + 1)..]}";
                    }
                }
            }

            var family = new List<ClrType>();
            foreach (var type in outer.Values)
            {
                AddNested(type, family, 0);
            }

            return family;
        }

        /// <summary>Adds <paramref name="type"/> and the types nested in it (their metadata read from the dump) that the
        /// runtime loaded.</summary>
        private void AddNested(ClrType type, List<ClrType> family, int depth)
        {
            family.Add(type);
            if (depth >= 3 || type.Module is not { } module || ModuleMetadata(module, metadata) is not { } md || type.Name is not { } name)
            {
                return;
            }

            try
            {
                var handle = MetadataTokens.TypeDefinitionHandle(type.MetadataToken & 0xFFFFFF);
                foreach (var nested in md.GetTypeDefinition(handle).GetNestedTypes())
                {
                    if (module.GetTypeByName($"{name}+{md.GetString(md.GetTypeDefinition(nested).Name)}") is { } loaded)
                    {
                        AddNested(loaded, family, depth + 1);
                    }
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or BadImageFormatException)
            {
                // Unreadable metadata: the type alone.
            }
        }
    }

    /// <summary>Where a lambda of <paramref name="holder"/> that no thread runs calls <c>Release</c>, or null.</summary>
    private static string? UnrunLambdaReleasing(ClrType holder, HashSet<(string, string)> running, Dictionary<ClrModule, MetadataReader?> metadata, SourceLines? lines)
    {
        return holder.Methods.Where(m => m.Name?.Contains(">b__", StringComparison.Ordinal) == true && !running.Contains((m.Type?.Name ?? "", m.Name!)))
            .Select(m => ReleaseAt(m, metadata, lines)).FirstOrDefault(at => at is not null);
    }

    private static string Ended(ClrObject task, bool cancelled, SourceLines? lines)
    {
        if (!cancelled)
        {
            return TaskReader.ExceptionOf(task, lines) is { } thrown ? $"a task that threw {thrown}" : "a task that ended with an exception";
        }

        return TaskReader.MachineOf(task) is not null ? "an async method cancelled (an OperationCanceledException at an await, before its Release)"
            : TaskReader.CancellationExceptionOf(task) is not null ? "a task cancelled while it ran (an OperationCanceledException before its Release)"
            : "a task cancelled before it ran";
    }

    private static ClrMethod? DelegateMethod(ClrObject @delegate)
    {
        var runtime = @delegate.Type?.Module?.AppDomain?.Runtime;
        foreach (var pointerField in new[] { "_methodPtr", "_methodPtrAux" })
        {
            if (runtime is not null && @delegate.TryReadField<ulong>(pointerField, out var pointer) && pointer != 0
                && runtime.GetMethodByInstructionPointer(pointer) is { } method)
            {
                return method;
            }
        }

        return null;
    }

    /// <summary>"Shop.Main (lambda) (Program.cs:15) calls Release on it": where <paramref name="method"/>'s IL calls
    /// <c>SemaphoreSlim.Release</c>, or null when it does not (or its IL cannot be read).</summary>
    private static string? ReleaseAt(ClrMethod method, Dictionary<ClrModule, MetadataReader?> metadata, SourceLines? lines)
    {
        try
        {
            if (method.Type?.Module is not { } module || ModuleMetadata(module, metadata) is not { } md
                || module.AppDomain?.Runtime.DataTarget.DataReader is not { } data || Body(method, data) is not { } body
                || (method.Name == "MoveNext" && method.Type?.Name?.Contains(">d", StringComparison.Ordinal) == true ? TaskReader.AsyncMethodName(method.Type) : TaskReader.MethodName(method)) is not { } name)
            {
                return null;
            }

            foreach (var instruction in Decode(body))
            {
                if (instruction.Op is Call or CallVirt && Callee(md, instruction.Operand) is ("SemaphoreSlim", "Release", _, _, _))
                {
                    var location = module.Name is { Length: > 0 } path && lines?.Find(path, method.MetadataToken, instruction.Offset) is var (file, line)
                        ? $" ({Path.GetFileName(file)}:{line})"
                        : "";
                    return $"{name}{location} calls Release on it";
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or BadImageFormatException)
        {
            // Unreadable IL or metadata: not named.
        }

        return null;
    }
}
