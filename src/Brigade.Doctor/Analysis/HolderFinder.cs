using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Names what in the program holds an object a thread waits on: a static field of the application's own types, a field
/// of an object a frame roots (its <c>this</c>, a closure), a field of what those refer to, or a frame's local.
/// </summary>
/// <remarks>The statics are read once, at the first question. A field the DAC cannot read is skipped, never an exception.</remarks>
internal sealed class HolderFinder(ClrRuntime runtime, ClrAppDomain? domain)
{
    /// <summary>How many elements of one static array are named (a lock-striping array is small; a cache is not a lock).</summary>
    private const int MaxNamedElements = 1024;

    private readonly ClrRuntime _runtime = runtime;
    private readonly ClrAppDomain? _domain = domain;
    private Dictionary<ulong, string>? _statics;
    private readonly Dictionary<ulong, (string Name, string Type)> _staticHandles = [];

    /// <summary>Says what in the program refers to <paramref name="target"/>: a static field, a field of an object on a
    /// stack of <paramref name="near"/>, a captured variable, or a local.</summary>
    public string? Find(ClrObject target, IEnumerable<ThreadScan> near)
    {
        _statics ??= ReadStatics();
        if (_statics.TryGetValue(target.Address, out var name))
        {
            return name;
        }

        if (Literal(target) is { } literal)
        {
            return literal;
        }

        if (ConsoleWriter(target) is { } console)
        {
            return console;
        }

        if (target.Type?.Name == "System.LazyHelper")
        {
            return LazyOf(target, near);
        }

        // A wait handle's wait often roots only its SafeWaitHandle (the WaitHandle itself is dead in the frame by then).
        if (_staticHandles.TryGetValue(target.Address, out var handle))
        {
            return $"the handle of {handle.Type} {handle.Name}";
        }

        // Review 50: the same for an event or semaphore in a field, a captured variable or a local: its wait roots only the
        // SafeWaitHandle, which was named "field System.Threading.ManualResetEvent._waitHandle" (the handle's own field),
        // not by the variable the program wrote.
        if (target.Type?.Name == "Microsoft.Win32.SafeHandles.SafeWaitHandle" && WaitHandleOf(target, near) is { } owner
            && Find(owner, near) is { } ownerName)
        {
            return HandleOf(owner.Type!.Name ?? "WaitHandle", ownerName);
        }

        // Fields of the objects the application's frames root (their `this`, closures), then fields of what those
        // refer to (a closure's captured `this`), then the frames' own locals.
        string? local = null;
        var second = new List<ClrObject>();
        foreach (var scan in near)
        {
            foreach (var frame in scan.Frames.Where(f => !f.IsFramework))
            {
                foreach (var root in frame.Roots)
                {
                    if (root.Address == target.Address)
                    {
                        local ??= $"a local of {frame.Display.Method}";
                        continue;
                    }

                    // A framework iterator's field (BlockingCollection<T>.<GetConsumingEnumerable>d__68.<>4__this, the
                    // enumerator of a consuming foreach) is no name the program knows: the closure or field below is.
                    if (root.Type?.Name is { } rootType && rootType.StartsWith("System.", StringComparison.Ordinal) && rootType.Contains(">d__", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    if (FieldHolding(root, target, second) is { } field)
                    {
                        return field;
                    }
                }
            }
        }

        foreach (var holder in second)
        {
            if (FieldHolding(holder, target, null) is { } field)
            {
                return field;
            }
        }

        return local;
    }

    /// <summary>The <c>WaitHandle</c> whose <c>_waitHandle</c> is <paramref name="handle"/>, among the objects the application's
    /// frames of <paramref name="near"/> root and the objects their fields refer to (a closure's captured event).</summary>
    private static ClrObject? WaitHandleOf(ClrObject handle, IEnumerable<ThreadScan> near)
    {
        static bool Owns(ClrObject o, ulong handle) => o.IsValid && !o.IsNull && WaitRule.DerivesFrom(o.Type, "System.Threading.WaitHandle")
            && o.TryReadObjectField("_waitHandle", out var safe) && safe.Address == handle;

        var roots = near.SelectMany(scan => scan.Frames).Where(f => !f.IsFramework).SelectMany(f => f.Roots).Where(r => r.IsValid && !r.IsNull).ToList();
        foreach (var root in roots)
        {
            if (Owns(root, handle.Address))
            {
                return root;
            }
        }

        foreach (var root in roots)
        {
            if (root.Type is not { IsString: false, IsArray: false } type)
            {
                continue;
            }

            foreach (var field in type.Fields.Where(f => f.IsObjectReference))
            {
                ClrObject value;
                try
                {
                    value = field.ReadObject(root.Address, interior: false);
                }
                catch (InvalidOperationException)
                {
                    continue;
                }

                if (Owns(value, handle.Address))
                {
                    return value;
                }
            }
        }

        return null;
    }

    /// <summary>Names a lock object that is a value rather than a variable: a string (an interned literal is one object for
    /// the whole process, the same lock wherever the same text is locked; a string built at run time is not) or a <c>typeof(T)</c> (one object per type).</summary>
    private string? Literal(ClrObject target)
    {
        if (target.Type is not { } type)
        {
            return null;
        }

        if (type.IsString)
        {
            var text = target.AsString(60) ?? "";
            // Since .NET 8 the literals of loaded code live on the frozen (non-GC) heap: one object process-wide, the same
            // lock wherever the same text is locked. A string elsewhere was built at run time (lock (userId)), or is the
            // literal of collectible code, or was interned by String.Intern: the text says which it may be.
            return _runtime.Heap.GetSegmentByAddress(target.Address)?.Kind == GCSegmentKind.Frozen
                ? $"the string \"{text}\": a literal is one object process-wide, every lock on \"{text}\" anywhere is this lock"
                : $"the string \"{text}\": not a literal of loaded code; built at run time, it is its own object (a lock on other strings with the same text is another lock), unless String.Intern made it the process-wide one";
        }

        if (type.Name == "System.RuntimeType" && target.TryReadField<nint>("m_handle", out var handle) && handle != 0
            && _runtime.GetTypeByMethodTable((ulong)handle) is { Name: { } typeName })
        {
            return $"typeof({typeName.Replace('+', '.')})";
        }

        return null;
    }

    /// <summary>Names the console's writers: <c>Console.Out</c> and <c>Console.Error</c> are synchronized writers whose
    /// lock <c>Console.Write</c>/<c>WriteLine</c> hold while they format their arguments (a <c>ToString()</c> included), so
    /// a <c>ToString()</c> that takes a lock is a lock taken under the console's. Without this, the lock was named by
    /// whichever frame happened to root it (<c>a local of Wallet.Deposit</c>).</summary>
    private string? ConsoleWriter(ClrObject target)
    {
        if (target.Type?.Name != "System.IO.TextWriter+SyncTextWriter")
        {
            return null;
        }

        var console = _domain is null ? null : _runtime.EnumerateModules().Where(m => Path.GetFileName(m.Name ?? "") == "System.Console.dll")
            .Select(m => m.GetTypeByName("System.Console")).FirstOrDefault(t => t is not null);
        foreach (var (field, name) in new[] { ("s_out", "Console.Out"), ("s_error", "Console.Error") })
        {
            try
            {
                if (console?.GetStaticFieldByName(field) is { IsObjectReference: true } stat && stat.IsInitialized(_domain!)
                    && stat.ReadObject(_domain!).Address == target.Address)
                {
                    return $"{name}: Console.Write and WriteLine hold its lock while they format their arguments, a ToString() included";
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
            {
                // A static the DAC cannot read: the writer is named as any other object.
            }
        }

        return "a TextWriter.Synchronized writer: each Write holds its lock while it formats its arguments, a ToString() included";
    }

    /// <summary>
    /// Review 48: names the <c>Lazy&lt;T&gt;</c> whose lock a thread waits on. A thread-safe <c>Lazy&lt;T&gt;</c> (the default
    /// mode) runs its factory under a lock on its <c>LazyHelper</c> (its <c>_state</c> until the value is made), which only
    /// the <c>Lazy</c> refers to: the lock was named <c>System.LazyHelper @addr</c>, with nothing to say which <c>Lazy</c>.
    /// Found among the statics of the application's types, then the fields of what its frames root, as any holder.
    /// </summary>
    private string LazyOf(ClrObject helper, IEnumerable<ThreadScan> near)
    {
        static bool Owns(ClrObject lazy, ClrObject helper) => lazy.Type?.Name?.StartsWith("System.Lazy<", StringComparison.Ordinal) == true
            && lazy.TryReadObjectField("_state", out var state) && state.Address == helper.Address;

        const string Role = "a thread-safe Lazy<T> runs its factory under this lock, and every other reader of its Value waits for that factory to return";
        foreach (var (address, name) in _statics!)
        {
            var candidate = _runtime.Heap.GetObject(address);
            if (candidate.IsValid && Owns(candidate, helper))
            {
                return $"the lock of {candidate.Type!.Name} {name}: {Role}";
            }
        }

        foreach (var root in near.SelectMany(scan => scan.Frames).Where(f => !f.IsFramework).SelectMany(f => f.Roots))
        {
            if (root.Type is { IsString: false, IsArray: false } type)
            {
                foreach (var field in type.Fields.Where(f => f.IsObjectReference))
                {
                    ClrObject value;
                    try
                    {
                        value = field.ReadObject(root.Address, interior: false);
                    }
                    catch (Exception e) when (e is InvalidOperationException or ArgumentException)
                    {
                        continue;
                    }

                    if (value.IsValid && Owns(value, helper))
                    {
                        return $"the lock of {value.Type!.Name} (field {type.Name?.Replace('+', '.')}.{field.Name}): {Role}";
                    }
                }
            }
        }

        return $"the lock of a Lazy<T>: {Role}";
    }

    /// <summary>Names the field of <paramref name="holder"/> that refers to <paramref name="target"/>; collects the objects its fields refer to.</summary>
    private static string? FieldHolding(ClrObject holder, ClrObject target, List<ClrObject>? next)
    {
        if (holder.Type is not { IsString: false, IsArray: false } type)
        {
            return null;
        }

        foreach (var field in type.Fields)
        {
            if (!field.IsObjectReference)
            {
                continue;
            }

            ClrObject value;
            try
            {
                value = field.ReadObject(holder.Address, interior: false);
            }
            catch (InvalidOperationException)
            {
                continue;
            }

            if (value.Address == target.Address)
            {
                // Review 45: a delegate made from a method group (new Thread(ledger.Post), an event handler) holds the
                // object in its _target: name the method, which is what the program wrote, not System.Action._target.
                if (field.Name == "_target" && WaitRule.DerivesFrom(type, "System.Delegate") && DelegateMethod(holder) is { } method)
                {
                    return $"the target of the delegate {method} (its this)";
                }

                return type.Name?.Contains("<>c__DisplayClass", StringComparison.Ordinal) == true
                    ? CapturedName(field.Name, OuterType(type.Name))
                    : $"field {SourceNames.Of(type, null).Replace('+', '.')}.{field.Name}";
            }

            // Review 53: a lock kept in a collection field (_locks["orders"], _stripes[3]) is named by the field and its key.
            if (value.IsValid && !value.IsNull && Elements(value, target.Address).FirstOrDefault() is { Element.IsNull: false } held)
            {
                return $"field {SourceNames.Of(type, null).Replace('+', '.')}.{field.Name}[{held.Index}]";
            }

            if (next is not null && value.IsValid && !value.IsNull && value.Type is { IsString: false, IsArray: false })
            {
                next.Add(value);
            }
        }

        return null;
    }

    /// <summary>The method a delegate calls, as <c>Type.Method</c>, or null when the dump does not say.</summary>
    private static string? DelegateMethod(ClrObject holder)
    {
        try
        {
            return holder.AsDelegate().GetDelegateTarget()?.Method is { Name: { } name, Type.Name: { } typeName }
                ? $"{SourceNames.Type(typeName, null).Replace('+', '.')}.{name}"
                : null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            return null;
        }
    }

    /// <summary>"captured variable 'ledger' in Shop.Program"; review 61: a lambda's captured <c>this</c> (the compiler's
    /// <c>&lt;&gt;4__this</c>) is "this, captured by a lambda in Shop.Inventory" (before: "captured variable '&lt;&gt;4__this'
    /// in Shop.Inventory", a name the program does not have).</summary>
    internal static string CapturedName(string? field, string outer) =>
        field == "<>4__this" ? $"this, captured by a lambda in {outer}" : $"captured variable '{field}' in {outer}";

    private static string OuterType(string closure)
    {
        var plus = closure.LastIndexOf("+<>c__DisplayClass", StringComparison.Ordinal);
        return plus > 0 ? closure[..plus].Replace('+', '.') : closure;
    }

    /// <summary>Every object referred to by a static field of the application's own types (not the framework's), by address.</summary>
    private Dictionary<ulong, string> ReadStatics()
    {
        var statics = new Dictionary<ulong, string>();
        var directs = new HashSet<ulong>();
        var elements = new Dictionary<ulong, string>();
        var domain = _domain;
        if (domain is null)
        {
            return statics;
        }

        foreach (var module in _runtime.EnumerateModules())
        {
            var file = Path.GetFileName(module.Name ?? "");
            if (file.StartsWith("System.", StringComparison.OrdinalIgnoreCase) || file.StartsWith("Microsoft.", StringComparison.OrdinalIgnoreCase) || file.Length == 0)
            {
                continue;
            }

            foreach (var type in module.EnumerateTypesWithStaticFields())
            {
                foreach (var field in type.StaticFields)
                {
                    if (!field.IsObjectReference)
                    {
                        continue;
                    }

                    try
                    {
                        if (!field.IsInitialized(domain))
                        {
                            continue;
                        }

                        var value = field.ReadObject(domain);
                        if (value.IsValid && !value.IsNull)
                        {
                            var name = $"static field {SourceNames.Of(type, null).Replace('+', '.')}.{field.Name}";
                            statics.TryAdd(value.Address, name);
                            directs.Add(value.Address);
                            if (WaitRule.DerivesFrom(value.Type, "System.Threading.WaitHandle") && value.TryReadObjectField("_waitHandle", out var safeHandle) && !safeHandle.IsNull)
                            {
                                _staticHandles.TryAdd(safeHandle.Address, (name, value.Type!.Name ?? "WaitHandle"));
                            }

                            AddElements(elements, value, name);
                        }
                    }
                    catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
                    {
                        // A static the DAC cannot read (an uninitialized class, a collectible assembly): not a holder we can name.
                    }
                }
            }
        }

        return PreferDirect(statics, elements);
    }

    /// <summary>Review 54: an object held by a static field and also in a static collection is named by the field
    /// (<c>static field Shop.Gate</c>, what the code that locks it writes), not by whichever of the two the walk met first
    /// (<c>static field Shop.Locks[0]</c> when <c>Locks</c> came first); an object only in collections keeps the first
    /// collection's name.</summary>
    internal static Dictionary<ulong, string> PreferDirect(Dictionary<ulong, string> direct, Dictionary<ulong, string> elements)
    {
        foreach (var (address, name) in elements)
        {
            direct.TryAdd(address, name);
        }

        return direct;
    }

    /// <summary>Review 52: the elements of a static array of objects (striped locks, <c>static readonly object[] Stripes</c>) are
    /// named by their index ("static field Bank.Stripes[5]"); before, such a lock was "a local of" whichever frame rooted it.
    /// Review 53: so are those of a <c>List&lt;object&gt;</c> ("static field Bank.Locks[3]") and the values of a
    /// <c>Dictionary&lt;K, object&gt;</c> or <c>ConcurrentDictionary&lt;K, object&gt;</c> by their key
    /// ("static field Shop.Store._locks["orders"]"), which read "a local of" or "field System.Object[]…" before.</summary>
    private static void AddElements(Dictionary<ulong, string> statics, ClrObject value, string name)
    {
        foreach (var (index, element) in Elements(value))
        {
            statics.TryAdd(element.Address, $"{name}[{index}]");
        }
    }

    /// <summary>The objects an array of references, a <c>List&lt;T&gt;</c>, a <c>Dictionary&lt;K, V&gt;</c> or a
    /// <c>ConcurrentDictionary&lt;K, V&gt;</c> (of a reference <c>T</c> or <c>V</c>) holds, each with its index or key as
    /// the program would write it (<c>3</c>, <c>"orders"</c>); the first <see cref="MaxNamedElements"/> only.</summary>
    /// <remarks>Review 54: with <paramref name="only"/>, only the element at that address (its key alone is formatted: a
    /// field of a rooted object that is a large cache was read key by key, 1,024 strings, for every lock looked up).</remarks>
    internal static IEnumerable<(string Index, ClrObject Element)> Elements(ClrObject collection, ulong? only = null)
    {
        var found = new List<(string, ClrObject)>();
        try
        {
            var typeName = collection.Type?.Name ?? "";
            if (collection.Type is { IsArray: true, ComponentType: { IsObjectReference: true, IsString: false } })
            {
                AddArray(collection, collection.AsArray().Length, found, only);
            }
            else if (typeName.StartsWith("System.Collections.Generic.List<", StringComparison.Ordinal)
                && collection.TryReadObjectField("_items", out var items) && items.Type is { IsArray: true, ComponentType: { IsObjectReference: true, IsString: false } }
                && collection.TryReadField<int>("_size", out var size))
            {
                AddArray(items, size, found, only);
            }
            else if (typeName.StartsWith("System.Collections.Generic.Dictionary<", StringComparison.Ordinal)
                && collection.TryReadObjectField("_entries", out var entries) && entries is { IsNull: false, IsValid: true }
                && collection.TryReadField<int>("_count", out var count))
            {
                var array = entries.AsArray();
                for (var i = 0; i < Math.Min(Math.Min(count, array.Length), MaxNamedElements); i++)
                {
                    // A removed entry's next is below -1 (it encodes the free list); a live one's is -1 or an index.
                    var entry = array.GetStructValue(i);
                    if (entry.ReadField<int>("next") >= -1 && ValueOf(entry, "value") is { } element && (only is null || element.Address == only)
                        && Key(entry.Type?.GetFieldByName("key"), entry.Address, interior: true) is { } key)
                    {
                        found.Add((key, element));
                    }
                }
            }
            else if (typeName.StartsWith("System.Collections.Concurrent.ConcurrentDictionary<", StringComparison.Ordinal)
                && collection.TryReadObjectField("_tables", out var tables) && tables.TryReadObjectField("_buckets", out var buckets) && buckets is { IsNull: false, IsValid: true })
            {
                var array = buckets.AsArray();
                for (var i = 0; i < array.Length && found.Count < MaxNamedElements; i++)
                {
                    var node = array.GetStructValue(i).ReadObjectField("_node");
                    for (var guard = 0; node is { IsNull: false, IsValid: true } && guard < MaxNamedElements; guard++)
                    {
                        if (node.TryReadObjectField("_value", out var element) && element is { IsNull: false, IsValid: true } && (only is null || element.Address == only)
                            && Key(node.Type?.GetFieldByName("_key"), node.Address, interior: false) is { } key)
                        {
                            found.Add((key, element));
                        }

                        node = node.TryReadObjectField("_next", out var next) ? next : default;
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException or IndexOutOfRangeException)
        {
            // A collection the dump does not show whole (torn by a writer, a layout this runtime does not have): what was read.
        }

        return found;
    }

    private static void AddArray(ClrObject arrayObject, int length, List<(string, ClrObject)> found, ulong? only)
    {
        var array = arrayObject.AsArray();
        for (var i = 0; i < Math.Min(Math.Min(length, array.Length), MaxNamedElements); i++)
        {
            if (array.GetObjectValue(i) is { IsValid: true, IsNull: false } element && (only is null || element.Address == only))
            {
                found.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture), element));
            }
        }
    }

    private static ClrObject? ValueOf(ClrValueType entry, string field) =>
        entry.Type?.GetFieldByName(field) is { IsObjectReference: true } && entry.ReadObjectField(field) is { IsNull: false, IsValid: true } value && !value.Type!.IsString ? value : null;

    /// <summary>A dictionary entry's key (a field of the entry struct at <paramref name="address"/>, or of a node object) as
    /// code would write it: a string quoted, an integer or a char as is; null for a key of another type (a lock is then
    /// named by its field alone).</summary>
    private static string? Key(ClrInstanceField? field, ulong address, bool interior)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return field switch
        {
            { IsObjectReference: true } => field.ReadObject(address, interior) is { Type.IsString: true } key ? $"\"{key.AsString(60)}\"" : null,
            { ElementType: ClrElementType.Int32 } => field.Read<int>(address, interior).ToString(invariant),
            { ElementType: ClrElementType.Int64 } => field.Read<long>(address, interior).ToString(invariant),
            { ElementType: ClrElementType.UInt32 } => field.Read<uint>(address, interior).ToString(invariant),
            { ElementType: ClrElementType.Char } => $"'{field.Read<char>(address, interior)}'",
            _ => null,
        };
    }

    /// <summary>Names a wait handle by what holds it: "the handle of T field F", "… captured variable 'x' in M", and,
    /// review 51, "the handle of T, a local of M" (it read "ManualResetEvent a local of …").</summary>
    internal static string HandleOf(string type, string holder) =>
        holder.StartsWith("a ", StringComparison.Ordinal) ? $"the handle of {type}, {holder}" : $"the handle of {type} {holder}";
}
