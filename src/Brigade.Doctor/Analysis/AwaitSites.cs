using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.Diagnostics.Runtime;
using static Brigade.Doctor.Analysis.IlReader;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Maps an async state machine's <c>&lt;&gt;1__state</c> to the await it is suspended at, by reading the IL of its
/// <c>MoveNext</c> from the module's file (the dump holds the state, not the code): the compiler stores the await's
/// number in the state just before it suspends (<c>ldc.i4 N; dup; stloc; stfld &lt;&gt;1__state</c>), after calling
/// <c>GetAwaiter</c> on what the await awaits. For each await: the awaited call (<c>SemaphoreSlim.WaitAsync</c>), the
/// field or static its receiver was loaded from, its IL offset and source line; and every <c>SemaphoreSlim.Release</c>
/// with its receiver.
/// </summary>
/// <remarks>A module not on this machine, or IL this reader does not follow (a receiver computed rather than loaded),
/// leaves an await unmapped or its receiver unknown: less said, never a wrong receiver.</remarks>
internal sealed class AwaitSites(SourceLines? lines) : IDisposable
{
    private readonly Dictionary<string, PEReader?> _modules = new(StringComparer.Ordinal);
    private readonly Dictionary<ClrType, Machine?> _machines = [];
    private readonly Dictionary<(string, int), Receiver?> _helpers = [];

    /// <summary>The IL of one state machine's <c>MoveNext</c>: its awaits by state, and its <c>SemaphoreSlim.Release</c> calls.</summary>
    internal sealed class Machine
    {
        public Dictionary<int, Site> ByState { get; } = [];

        public List<Site> Releases { get; } = [];

        /// <summary>Gets the calls that complete a <c>TaskCompletionSource</c> (<c>SetResult</c>, <c>TrySetException</c>...),
        /// with their receivers (review 57: who would complete a source a flow awaits).</summary>
        public List<Site> Completes { get; } = [];

        /// <summary>Gets the <c>SemaphoreSlim.Wait</c> calls, with their receivers (read only for a thread's method,
        /// <see cref="ForMethod"/>).</summary>
        public List<Site> Waits { get; } = [];

        /// <summary>Gets the calls that read a channel (<c>ReadAsync</c>, <c>WaitToReadAsync</c>, <c>TryRead</c>,
        /// <c>ReadAllAsync</c>, <c>TryPeek</c> on a <c>Channel</c>'s <c>Reader</c>), each with the channel as its receiver
        /// (review 58: a loop that reads its channel through a field each time holds nothing of it across an await).</summary>
        public List<Site> ChannelReads { get; } = [];

        /// <summary>Gets, by state, the IL offset where the method stores it before suspending: every await's, mapped to a
        /// call or not (<c>await _task</c> awaits a field, no call).</summary>
        public Dictionary<int, int> Suspends { get; } = [];
    }

    /// <summary>An awaited call (or a <c>Release</c> call): the callee, its receiver, where it is.</summary>
    internal sealed record Site(int Offset, string CalleeType, string Callee, int Parameters, Receiver? Receiver, string? Location)
    {
        /// <summary>Gets whether the call is <c>SemaphoreSlim.WaitAsync</c>.</summary>
        public bool IsSemaphoreWait => CalleeType == "SemaphoreSlim" && Callee == "WaitAsync";

        /// <summary>Gets, for an await of an async helper that takes a slot and returns without releasing it (an
        /// "AsyncLock" wrapper's <c>LockAsync</c>, an <c>AcquireAsync</c>), the semaphore it takes, as a path from this
        /// state machine (<c>&lt;&gt;4__this</c>, <c>_stockLock</c>, <c>_semaphore</c>).</summary>
        public Receiver? Helper { get; init; }

        /// <summary>Gets whether this (release) call is a <c>Dispose()</c>: an "AsyncLock" releaser's, perhaps.</summary>
        public bool IsDispose => Callee == "Dispose" && Parameters == 0;

        /// <summary>Gets the semaphore this await takes a slot of, when it does: a <c>WaitAsync</c>'s receiver, or
        /// <see cref="Helper"/>.</summary>
        public Receiver? Acquires => IsSemaphoreWait ? Receiver : Helper;

        /// <summary>Gets whether the await awaits a task loaded from a field (<c>await _pending</c>), not a call's result:
        /// <see cref="Receiver"/> is that field (review 58).</summary>
        public bool IsFieldAwait => Callee.Length == 0;

        /// <summary>Gets the call as source text: <c>_stock.WaitAsync()</c>, <c>Task.Delay(...)</c>, <c>_reply.Task</c>; for an
        /// await of a field, the field (<c>_pending</c>, <c>Warmup.s_started</c>).</summary>
        public string Display
        {
            get
            {
                if (IsFieldAwait)
                {
                    return Receiver?.Display ?? "?";
                }

                var target = Receiver?.Display ?? CalleeType;
                return Callee.StartsWith("get_", StringComparison.Ordinal) && Parameters == 0 ? $"{target}.{Callee[4..]}"
                    : Parameters == 0 ? $"{target}.{Callee}()" : $"{target}.{Callee}(...)";
            }
        }
    }

    /// <summary>Where a call's receiver was loaded from: a static field, or fields of the state machine (then of what they
    /// hold: <c>&lt;&gt;4__this</c>, then <c>_stock</c>).</summary>
    internal sealed record Receiver(string? StaticType, IReadOnlyList<string> Path)
    {
        public string Display
        {
            get
            {
                var last = Path.Count > 0 ? Clean(Path[^1]) : "?";
                return StaticType is not null && Path.Count == 1 ? $"{StaticType[(StaticType.LastIndexOfAny(['.', '+']) + 1)..]}.{last}" : last;
            }
        }

        private static string Clean(string field) =>
            IsThisField(field) ? "this"
            : field.StartsWith("$VB$ResumableLocal_", StringComparison.Ordinal) && field.LastIndexOf('$') is var end && end > "$VB$ResumableLocal_".Length ? field["$VB$ResumableLocal_".Length..end]
            : field.StartsWith('<') && field.IndexOf('>', StringComparison.Ordinal) is > 1 and var close ? field[1..close] : field;
    }

    /// <summary>Whether a state machine's field holds the async method's <c>this</c>: C#'s <c>&lt;&gt;4__this</c>, Visual
    /// Basic's <c>$VB$Me</c>.</summary>
    internal static bool IsThisField(string? field) => field is "<>4__this" or "$VB$Me";

    /// <summary>Whether a state machine's field is its state: C#'s <c>&lt;&gt;1__state</c>, Visual Basic's <c>$State</c>
    /// (the same IL stores the await's number in both: <c>ldc.i4 N; dup; stloc; stfld</c>).</summary>
    internal static bool IsStateField(string? field) => field is "<>1__state" or "$State";

    /// <summary>Reads (once per type) the awaits of a state machine type, or null when its IL cannot be read.</summary>
    public Machine? For(ClrType machineType)
    {
        if (!_machines.TryGetValue(machineType, out var machine))
        {
            try
            {
                machine = Read(machineType);
            }
            catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException or IOException or IndexOutOfRangeException)
            {
                machine = null;
            }

            _machines[machineType] = machine;
        }

        return machine;
    }

    /// <summary>Reads the object a receiver names, for one state machine (at <paramref name="address"/>, inside its box
    /// when <paramref name="interior"/>), and names where it is held as the other analyses do (<c>static field T.F</c>,
    /// <c>field T.F</c>, <c>a local of T.M</c>).</summary>
    /// <remarks>With <paramref name="fullPath"/> (a semaphore inside a wrapper object), the whole path from the first
    /// object is named (<c>field Shop._stockLock._semaphore</c>, <c>static field Shop.Lock._semaphore</c>), so that two
    /// wrappers' semaphores are told apart.</remarks>
    public static (ClrObject Object, string? HeldIn) Resolve(Receiver receiver, ClrType machineType, ulong address, bool interior, ClrAppDomain? domain, bool fullPath = false)
    {
        var path = receiver.Path;
        var holder = receiver.StaticType is { } s ? $"static field {s.Replace('+', '.')}.{(fullPath ? string.Join('.', path) : path[0])}" : $"a local of {TaskReader.AsyncMethodName(machineType)}";
        ClrType? owner = null;
        ClrType? first = null;
        var current = Walk(receiver, machineType, address, interior, domain, ref owner, ref first);
        if (fullPath && receiver.StaticType is null && path.Count > 2 && first?.Name is { } firstName)
        {
            holder = $"field {firstName.Replace('+', '.')}.{string.Join('.', path.Skip(1))}";
        }
        else if (path.Count > 1 && owner?.Name is { } ownerName && !(fullPath && receiver.StaticType is not null))
        {
            holder = $"field {ownerName.Replace('+', '.')}.{path[^1]}";
        }

        return (current, holder);
    }

    private static ClrObject Walk(Receiver receiver, ClrType machineType, ulong address, bool interior, ClrAppDomain? domain, ref ClrType? owner, ref ClrType? first)
    {
        ClrObject current;
        var path = receiver.Path;
        int start;
        if (receiver.StaticType is { } typeName)
        {
            if (domain is null || machineType.Module?.GetTypeByName(typeName)?.GetStaticFieldByName(path[0]) is not { IsObjectReference: true } field)
            {
                return default;
            }

            current = field.ReadObject(domain);
            start = 1;
        }
        else
        {
            if (path.Count == 0 || machineType.GetFieldByName(path[0]) is not { IsObjectReference: true } field)
            {
                return default;
            }

            current = field.ReadObject(address, interior);
            start = 1;
        }

        for (var i = start; i < path.Count && current.IsValid && !current.IsNull; i++)
        {
            owner = current.Type;
            first ??= current.Type;
            current = current.TryReadObjectField(path[i], out var next) ? next : default;
        }

        return current.IsValid ? current : default;
    }

    public void Dispose()
    {
        foreach (var pe in _modules.Values)
        {
            pe?.Dispose();
        }

        _modules.Clear();
    }

    /// <summary>Review 57: the IL of a method a thread runs (not a state machine's <c>MoveNext</c>): its
    /// <c>SemaphoreSlim.Wait</c> calls and its completions of <c>TaskCompletionSource</c>s, with their receivers. Null for a
    /// method whose module is not on this machine or is not the build the dump ran.</summary>
    public Machine? ForMethod(ClrMethod method)
    {
        if (method.Type?.Module is not { Name: { Length: > 0 } modulePath } module || method.MetadataToken == 0 || Module(module) is not { } pe)
        {
            return null;
        }

        return ReadMoveNext(pe, modulePath, method.MetadataToken, helpers: false);
    }

    /// <summary>Reads the awaits of the <c>MoveNext</c> with metadata token <paramref name="moveNextToken"/> in the module
    /// file at <paramref name="modulePath"/>, with no dump to compare its build with (tests read their own assembly).</summary>
    internal static Machine? ReadFile(string modulePath, int moveNextToken)
    {
        using var pe = new PEReader(File.OpenRead(modulePath));
        using var sites = new AwaitSites(null);
        return sites.ReadMoveNext(pe, modulePath, moveNextToken, helpers: true);
    }

    private Machine? Read(ClrType machineType)
    {
        var modulePath = machineType.Module?.Name;
        var moveNext = machineType.Methods.FirstOrDefault(m => m.Name == "MoveNext");
        if (string.IsNullOrEmpty(modulePath) || moveNext is null || moveNext.MetadataToken == 0 || Module(machineType.Module!) is not { } pe)
        {
            return null;
        }

        return ReadMoveNext(pe, modulePath, moveNext.MetadataToken, helpers: true);
    }

    private Machine? ReadMoveNext(PEReader pe, string modulePath, int token, bool helpers)
    {
        var md = pe.GetMetadataReader();
        var definition = md.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(MetadataTokens.GetRowNumber(MetadataTokens.EntityHandle(token))));
        if (definition.RelativeVirtualAddress == 0)
        {
            return null;
        }

        var body = pe.GetMethodBody(definition.RelativeVirtualAddress);
        var code = Decode(body.GetILBytes() ?? []);
        var machine = new Machine();
        // From the first instruction: a thread's method (ForMethod) may call Wait first thing; an await's pattern needs four.
        for (var i = 0; i < code.Count; i++)
        {
            // An await: ldc.i4 N; dup; stloc; stfld <>1__state (N >= 0).
            if (i >= 3 && code[i].Op == StField && IsStateField(FieldName(md, code[i].Operand)) && IsStloc(code[i - 1].Op) && code[i - 2].Op == Dup
                && ConstantOf(code[i - 3]) is >= 0 and var suspended)
            {
                machine.Suspends.TryAdd(suspended, code[i].Offset);
            }

            if (i >= 3 && code[i].Op == StField && IsStateField(FieldName(md, code[i].Operand)) && IsStloc(code[i - 1].Op) && code[i - 2].Op == Dup
                && ConstantOf(code[i - 3]) is >= 0 and var state && AwaitedCall(md, code, i) is { } call)
            {
                if (code[call].Op is not (Call or CallVirt))
                {
                    // Review 58: `await _ready` / `await this._pending`: a task loaded from a field, no call (it read "await #0").
                    if (Load(md, code, call, 0) is { Receiver: var loaded })
                    {
                        machine.ByState.TryAdd(state, FieldSite(code, call, loaded, modulePath, token));
                    }

                    continue;
                }

                var site = SiteAt(md, code, call, modulePath, token);
                if (helpers && HelperTakes(pe, modulePath, code[call].Operand) is { } taken)
                {
                    // The helper's semaphore, from here: through the call's receiver (its `this`), or its static.
                    Receiver? path = taken.StaticType is not null ? taken
                        : site.Receiver is { } r ? new Receiver(r.StaticType, [.. r.Path, .. taken.Path.Skip(1)]) : null;
                    site = site with { Helper = path };
                }

                machine.ByState.TryAdd(state, site);
            }
            else if (code[i].Op is Call or CallVirt && Callee(md, code[i].Operand) is ("SemaphoreSlim", "Release", _, _, _) or (_, "Dispose", 0, true, false))
            {
                machine.Releases.Add(SiteAt(md, code, i, modulePath, token));
            }
            else if (code[i].Op is Call or CallVirt && Callee(md, code[i].Operand) is ("TaskCompletionSource", var completion, _, true, _) && CompletesSource(completion))
            {
                machine.Completes.Add(SiteAt(md, code, i, modulePath, token));
            }
            else if (code[i].Op is Call or CallVirt && Callee(md, code[i].Operand) is ("ChannelReader", var read, var readParameters, true, _)
                && read is "ReadAsync" or "WaitToReadAsync" or "TryRead" or "ReadAllAsync" or "TryPeek" && ChannelOfReader(md, code, i, readParameters) is { } channel)
            {
                machine.ChannelReads.Add(new Site(code[i].Offset, "ChannelReader", read, readParameters, channel, null));
            }
            else if (!helpers && code[i].Op is Call or CallVirt && Callee(md, code[i].Operand) is ("SemaphoreSlim", "Wait", _, true, _))
            {
                machine.Waits.Add(SiteAt(md, code, i, modulePath, token));
            }
        }

        // A helper that returns holding a slot is an acquisition only with evidence the slot is handed on to be released:
        // this method disposes something after the await (using (await x.LockAsync())) or releases that semaphore after
        // it (AcquireAsync(), then finally _gate.Release()). A counted queue's DequeueAsync takes a slot nobody gives back.
        foreach (var (state, site) in machine.ByState.Where(p => p.Value.Helper is not null).ToList())
        {
            if (!machine.Releases.Exists(r => r.Offset > site.Offset && (r.IsDispose || (r.Receiver is { } released && Same(released, site.Helper!)))))
            {
                machine.ByState[state] = site with { Helper = null };
            }
        }

        return machine;
    }

    /// <summary>Review 58: the channel a <c>ChannelReader</c> call reads, when its receiver is <c>x.Reader</c> with x loaded
    /// from a field or a static (<c>_jobs.Reader.TryRead(out item)</c>, <c>Outbox.Reader.ReadAsync()</c>), past a defaulted
    /// <c>CancellationToken</c> argument (<c>ldloca; initobj; ldloc</c>).</summary>
    private static Receiver? ChannelOfReader(MetadataReader md, List<Instruction> code, int call, int parameters)
    {
        var end = call - 1;
        if (parameters == 1 && end >= 2 && LocalOf(code[end]) is not null && code[end - 1].Op == InitObj && IsLdloca(code[end - 2].Op))
        {
            end -= 3;
        }
        else if (parameters > 0)
        {
            end = SkipArguments(md, code, end, parameters) ?? -1;
        }

        return end > 0 && code[end].Op is Call or CallVirt && Callee(md, code[end].Operand) is ("Channel", "get_Reader", 0, true, _)
            ? Load(md, code, end - 1, 0)?.Receiver
            : null;
    }

    private static bool Same(Receiver a, Receiver b) => a.StaticType == b.StaticType && a.Path.SequenceEqual(b.Path, StringComparer.Ordinal);

    /// <summary>
    /// Whether a called method is an async helper that takes a semaphore slot and returns holding it: defined in this
    /// module, an async method (<c>AsyncStateMachineAttribute</c>) whose <c>MoveNext</c> awaits <c>WaitAsync()</c> (no
    /// timeout: it returns only with the slot) on a field of its <c>this</c> or a static, and calls no <c>Release</c>.
    /// Returns that receiver (from the helper's state machine: <c>&lt;&gt;4__this</c>, <c>_semaphore</c>).
    /// </summary>
    private Receiver? HelperTakes(PEReader pe, string modulePath, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        if (handle.Kind != HandleKind.MethodDefinition)
        {
            return null;
        }

        var key = (modulePath, (int)token);
        if (_helpers.TryGetValue(key, out var known))
        {
            return known;
        }

        Receiver? taken = null;
        var md = pe.GetMetadataReader();
        if (StateMachineOf(md, (MethodDefinitionHandle)handle) is { } machineType)
        {
            var moveNext = md.GetTypeDefinition(machineType).GetMethods().FirstOrDefault(m => md.GetString(md.GetMethodDefinition(m).Name) == "MoveNext");
            if (!moveNext.IsNil && ReadMoveNext(pe, modulePath, MetadataTokens.GetToken(moveNext), helpers: false) is { } callee && callee.Releases.TrueForAll(r => r.IsDispose))
            {
                var waits = callee.ByState.Values.Where(w => w.IsSemaphoreWait && w.Parameters == 0
                    && w.Receiver is { } r && (r.StaticType is not null ? r.Path.Count == 1 : r.Path.Count == 2 && IsThisField(r.Path[0]))).ToList();
                taken = waits.Count == 1 ? waits[0].Receiver : null;
            }
        }

        _helpers[key] = taken;
        return taken;
    }

    /// <summary>The state machine type of an async method: its <c>AsyncStateMachineAttribute</c>'s argument.</summary>
    private static TypeDefinitionHandle? StateMachineOf(MetadataReader md, MethodDefinitionHandle method)
    {
        foreach (var handle in md.GetMethodDefinition(method).GetCustomAttributes())
        {
            var attribute = md.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var parent = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind != HandleKind.TypeReference || md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name) != "AsyncStateMachineAttribute")
            {
                continue;
            }

            // The argument is a System.Type, serialized as its name: prolog 0x0001, then a SerString.
            var blob = md.GetBlobReader(attribute.Value);
            if (blob.Length < 3 || blob.ReadUInt16() != 1 || blob.ReadSerializedString() is not { } name)
            {
                return null;
            }

            var comma = name.IndexOf(',', StringComparison.Ordinal);
            name = comma > 0 ? name[..comma] : name;
            foreach (var type in md.TypeDefinitions)
            {
                if (TypeName(md, type) == name)
                {
                    return type;
                }
            }

            return null;
        }

        return null;
    }

    private static bool CompletesSource(string method) =>
        method is "SetResult" or "TrySetResult" or "SetException" or "TrySetException" or "SetCanceled" or "TrySetCanceled" or "SetFromTask" or "TrySetFromTask";

    private Site SiteAt(MetadataReader md, List<Instruction> code, int call, string modulePath, int token)
    {
        var (type, name, parameters, instance, _) = Callee(md, code[call].Operand) ?? ("?", "?", 0, false, false);
        Receiver? receiver = null;
        if (instance && SkipArguments(md, code, call - 1, parameters) is { } end && end >= 0)
        {
            receiver = Load(md, code, end, 0)?.Receiver;
        }

        var offset = code[call].Offset;
        var location = lines?.Find(modulePath, token, offset) is { } line ? $"{Path.GetFileName(line.File)}:{line.Line}" : null;
        return new Site(offset, type, name, parameters, receiver, location);
    }

    /// <summary>The index of the awaited call before an await's state store: the call <c>GetAwaiter</c> was called on,
    /// past a <c>ConfigureAwait</c> and the local a value-type awaitable is stored in.</summary>
    private static int? AwaitedCall(MetadataReader md, List<Instruction> code, int stateStore)
    {
        var getAwaiter = -1;
        for (var i = stateStore - 1; i >= 0 && i > stateStore - 40; i--)
        {
            if (code[i].Op is Call or CallVirt && Callee(md, code[i].Operand) is (_, "GetAwaiter", _, _, _))
            {
                getAwaiter = i;
                break;
            }
        }

        for (var i = getAwaiter - 1; i >= 0;)
        {
            var op = code[i].Op;
            if (IsLdloca(op) && i > 0 && IsStloc(code[i - 1].Op))
            {
                i -= 2;
            }
            else if (op is Call or CallVirt && Callee(md, code[i].Operand) is (_, "ConfigureAwait", _, _, _) && i > 0 && ConstantOf(code[i - 1]) is not null)
            {
                i -= 2;
            }
            else
            {
                // A call, or (review 58) the field load a task awaited straight from a field ends with.
                return op is Call or CallVirt or LdField or LdStaticField ? i : null;
            }
        }

        return null;
    }

    /// <summary>Review 58: an await of a task held in a field (<c>await _pending</c>, <c>await s_started</c>): no call, the
    /// site is the field itself, named by its receiver path.</summary>
    private Site FieldSite(List<Instruction> code, int load, Receiver receiver, string modulePath, int token)
    {
        var offset = code[load].Offset;
        var location = lines?.Find(modulePath, token, offset) is { } line ? $"{Path.GetFileName(line.File)}:{line.Line}" : null;
        return new Site(offset, "", "", 0, receiver, location);
    }

    /// <summary>Steps back over a call's arguments by the stack effect of each instruction (loads, field reads, calls,
    /// conversions, arithmetic); returns the index of the receiver's last instruction, or null at anything else (a branch).</summary>
    private static int? SkipArguments(MetadataReader md, List<Instruction> code, int end, int count)
    {
        var need = count;
        var k = end;
        while (need > 0)
        {
            if (k < 0 || Effect(md, code[k]) is not { } effect)
            {
                return null;
            }

            need += effect.Pops - effect.Pushes;
            k--;
        }

        return need == 0 ? k : null;
    }

    /// <summary>How many values an instruction pops and pushes, for the instructions an argument expression is usually made of.</summary>
    private static (int Pops, int Pushes)? Effect(MetadataReader md, Instruction instruction) => instruction.Op switch
    {
        (>= 0x02 and <= 0x09) or 0x0E or 0x0F or 0x11 or 0x12 or (>= 0x14 and <= 0x23) or 0x72 or 0x7E or 0x7F or 0xD0
            or 0xFE06 or 0xFE09 or 0xFE0A or 0xFE0C or 0xFE0D => (0, 1),
        0x25 => (1, 2),
        0x7B or 0x7C or 0x8C or 0x8D or 0x8E or (>= 0x67 and <= 0x6E) or (>= 0x82 and <= 0x8B) or (>= 0xB3 and <= 0xBA) or 0xD1 or 0xD2 or 0xD3 or 0xE0
            or 0x65 or 0x66 or 0x74 or 0x75 or 0xA5 or 0x71 => (1, 1),
        (>= 0x58 and <= 0x64) or 0xA3 or 0x8F or (>= 0x90 and <= 0x9A) => (2, 1),
        0x28 or 0x6F or 0x73 => Callee(md, instruction.Operand) is { } callee
            ? (callee.Parameters + (callee.Instance && instruction.Op != 0x73 ? 1 : 0), callee.Returns || instruction.Op == 0x73 ? 1 : 0)
            : null,
        _ => null,
    };

    /// <summary>Reads a load expression ending at <paramref name="end"/>: <c>ldsfld F (ldfld f)*</c>, <c>ldarg.0 (ldfld f)*</c>,
    /// or <c>ldloc K (ldfld f)*</c> where K was last stored from such a load.</summary>
    private static (Receiver Receiver, int Start)? Load(MetadataReader md, List<Instruction> code, int end, int depth)
    {
        var path = new List<string>();
        var k = end;
        while (k >= 0 && code[k].Op == LdField)
        {
            path.Insert(0, FieldName(md, code[k].Operand) ?? "?");
            k--;
        }

        if (k < 0)
        {
            return null;
        }

        var root = code[k];
        if (root.Op == LdArg0)
        {
            return path.Count == 0 ? null : (new Receiver(null, path), k);
        }

        if (root.Op == LdStaticField && StaticField(md, root.Operand) is { } field)
        {
            path.Insert(0, field.Name);
            return (new Receiver(field.Type, path), k);
        }

        if (LocalOf(root) is { } local && depth < 4)
        {
            for (var s = k - 1; s > 0; s--)
            {
                if (StoredLocal(code[s]) == local)
                {
                    return Load(md, code, s - 1, depth + 1) is { } source
                        ? (new Receiver(source.Receiver.StaticType, [.. source.Receiver.Path, .. path]), k)
                        : null;
                }
            }
        }

        return null;
    }

    /// <summary>Gets the modules whose file on disk is not the build the dump ran (another MVID): their awaits are left
    /// unmapped.</summary>
    public SortedSet<string> StaleModules { get; } = new(StringComparer.Ordinal);

    /// <summary>Opens (once) a module's file, when it is the build the dump ran: same MVID as the metadata in the dump
    /// or, where the dump's metadata cannot be read, the same metadata size. A rebuilt file (edit, rebuild, then
    /// <c>doctor --dump</c> of an older dump) would map states to other awaits and receivers: not read.</summary>
    private PEReader? Module(ClrModule module)
    {
        var path = module.Name!;
        if (!_modules.TryGetValue(path, out var pe))
        {
            try
            {
                pe = File.Exists(path) ? new PEReader(File.OpenRead(path)) : null;
                if (pe is not null && !pe.HasMetadata)
                {
                    pe.Dispose();
                    pe = null;
                }

                if (pe is not null && !SameBuild(module, pe))
                {
                    StaleModules.Add(Path.GetFileName(path));
                    pe.Dispose();
                    pe = null;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
            {
                pe = null;
            }

            _modules[path] = pe;
        }

        return pe;
    }

    private static bool SameBuild(ClrModule module, PEReader pe)
    {
        var file = pe.GetMetadataReader();
        var mvid = file.GetModuleDefinition().Mvid;
        if (DumpedGuid(module, MetadataTokens.GetHeapOffset(mvid)) is { } dumped)
        {
            return dumped == file.GetGuid(mvid);
        }

        // The dump's copy of the metadata is unreadable: compared by size.
        return module.MetadataLength == 0 || (ulong)pe.PEHeaders.MetadataSize == module.MetadataLength;
    }

    /// <summary>Reads GUID number <paramref name="index"/> (1-based, the module's MVID) from the #GUID stream of the
    /// module's metadata in the dump's memory: the metadata root, its stream headers, then 16 bytes.</summary>
    private static Guid? DumpedGuid(ClrModule module, int index)
    {
        var reader = module.AppDomain?.Runtime?.DataTarget?.DataReader;
        if (reader is null || module.MetadataAddress == 0 || index < 1)
        {
            return null;
        }

        var root = new byte[1024];
        if (reader.Read(module.MetadataAddress, root) != root.Length || BitConverter.ToUInt32(root, 0) != 0x424A5342)
        {
            return null;
        }

        var at = 16 + BitConverter.ToInt32(root, 12);
        if (at + 4 > root.Length)
        {
            return null;
        }

        int streams = BitConverter.ToUInt16(root, at + 2);
        at += 4;
        for (var i = 0; i < streams && at + 8 < root.Length; i++)
        {
            var offset = BitConverter.ToUInt32(root, at);
            var end = Array.IndexOf(root, (byte)0, at + 8);
            if (end < 0)
            {
                return null;
            }

            var name = System.Text.Encoding.ASCII.GetString(root, at + 8, end - at - 8);
            if (name == "#GUID")
            {
                var guid = new byte[16];
                return reader.Read(module.MetadataAddress + offset + (ulong)((index - 1) * 16), guid) == 16 ? new Guid(guid) : null;
            }

            at = (end + 4) & ~3;
        }

        return null;
    }

    // Opcodes this reader needs by name.
    private const int LdArg0 = 0x02;
    private const int Dup = 0x25;
    private const int Call = 0x28;
    private const int CallVirt = 0x6F;
    private const int LdField = 0x7B;
    private const int StField = 0x7D;
    private const int LdStaticField = 0x7E;
    private const int InitObj = 0xFE15;

    private static int? ConstantOf(Instruction instruction) => instruction.Op switch
    {
        >= 0x15 and <= 0x1E => instruction.Op - 0x16,
        0x1F or 0x20 => (int)instruction.Operand,
        _ => null,
    };

    private static bool IsStloc(int op) => op is (>= 0x0A and <= 0x0D) or 0x13 or 0xFE0E;

    private static bool IsLdloca(int op) => op is 0x12 or 0xFE0D;

    private static int? LocalOf(Instruction instruction) => instruction.Op switch
    {
        >= 0x06 and <= 0x09 => instruction.Op - 0x06,
        0x11 or 0xFE0C => (int)instruction.Operand,
        _ => null,
    };

    private static int? StoredLocal(Instruction instruction) => instruction.Op switch
    {
        >= 0x0A and <= 0x0D => instruction.Op - 0x0A,
        0x13 or 0xFE0E => (int)instruction.Operand,
        _ => null,
    };

    private static string? FieldName(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        return handle.Kind switch
        {
            HandleKind.FieldDefinition => md.GetString(md.GetFieldDefinition((FieldDefinitionHandle)handle).Name),
            HandleKind.MemberReference => md.GetString(md.GetMemberReference((MemberReferenceHandle)handle).Name),
            _ => null,
        };
    }

    /// <summary>A static field defined in this module: its declaring type's full name (nested types with '+') and name.</summary>
    private static (string Type, string Name)? StaticField(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        if (handle.Kind != HandleKind.FieldDefinition)
        {
            return null;
        }

        var field = md.GetFieldDefinition((FieldDefinitionHandle)handle);
        return (TypeName(md, field.GetDeclaringType()), md.GetString(field.Name));
    }
}
