using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// The threads that took a <c>SemaphoreSlim</c>'s slot synchronously: a method of the application on the thread's stack
/// calls <c>Wait</c> on that semaphore (its receiver loaded from a static field, or from a field of <c>this</c>) at an IL
/// offset before the call the frame is in, with no <c>Release</c> of it in between. The IL and metadata are read from
/// the dump's own memory (the build the dump ran). Evidence, not proof, as for flows (<see cref="AsyncFlows.MayHold"/>):
/// IL order is not the path taken. Used only to say less: a slot held by a thread that can still run is not leaked, and
/// a cycle through it is not one of flows.
/// </summary>
internal sealed class AsyncThreadHolders(ClrAppDomain? domain)
{
    private readonly Dictionary<int, List<Taken>> _taken = [];
    private readonly Dictionary<ClrModule, MetadataReader?> _metadata = [];

    /// <summary>A synchronous <c>Wait</c> on a thread's stack not released since: in which method, and what it waited on.</summary>
    private sealed record Taken(ClrObject Semaphore, string? Name);

    /// <summary>Whether <paramref name="thread"/>'s stack shows it took a slot of <paramref name="semaphore"/> with
    /// <c>Wait</c> and has not released it.</summary>
    public bool Holds(DiagnosedThread thread, SemaphoreInfo semaphore) =>
        TakenBy(thread.ManagedThreadId).Exists(t => t.Semaphore.Address == semaphore.Object.Address
            || (t.Semaphore.IsNull && t.Name is { } name && semaphore.HeldIn == name));

    private List<Taken> TakenBy(int managedThreadId)
    {
        if (!_taken.TryGetValue(managedThreadId, out var taken))
        {
            taken = [];
            try
            {
                if (domain?.Runtime.Threads.FirstOrDefault(t => t.ManagedThreadId == managedThreadId) is { } thread)
                {
                    Read(thread, taken);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
            {
                // An unreadable stack or method body: nothing taken is known.
            }

            _taken[managedThreadId] = taken;
        }

        return taken;
    }

    private void Read(ClrThread thread, List<Taken> taken)
    {
        // The objects the stack roots, read only for a receiver loaded from a field of this (at most 256).
        var roots = new Lazy<List<ClrObject>>(() => [.. thread.EnumerateStackRoots().Select(r => r.Object).Where(o => o is { IsNull: false, IsValid: true }).Take(256)]);
        foreach (var frame in thread.EnumerateStackTrace())
        {
            if (frame.Method is not { Type: { } type } method || method.Type.Module is not { } module
                || WaitRule.IsFrameworkType(type.Name ?? "System.?", module.Name) || Metadata(module) is not { } md)
            {
                continue;
            }

            var current = method.GetILOffset(frame.InstructionPointer);
            var il = method.GetILInfo();
            if (current <= 0 || il is null || il.Address == 0 || il.Length is <= 0 or > 1 << 20)
            {
                continue;
            }

            var bytes = new byte[il.Length];
            if (domain!.Runtime.DataTarget.DataReader.Read(il.Address, bytes) != bytes.Length)
            {
                continue;
            }

            var code = Decode(bytes);
            var waits = new List<(int Offset, Receiver Receiver)>();
            var releases = new List<(int Offset, Receiver? Receiver)>();
            for (var i = 0; i < code.Count && code[i].Offset < current; i++)
            {
                if (code[i].Op is not (Call or CallVirt) || Callee(md, code[i].Operand) is not ("SemaphoreSlim", var name and ("Wait" or "Release"), var parameters, _))
                {
                    continue;
                }

                var receiver = Skip(md, code, i - 1, parameters) is { } end ? Load(md, code, end) : null;
                if (name == "Release")
                {
                    releases.Add((code[i].Offset, receiver));
                }
                else if (receiver is { } r)
                {
                    waits.Add((code[i].Offset, r));
                }
            }

            foreach (var (offset, receiver) in waits)
            {
                if (releases.Exists(r => r.Offset > offset && (r.Receiver is null || r.Receiver.Same(receiver))))
                {
                    continue;
                }

                taken.Add(Resolve(module, receiver, roots));
            }
        }
    }

    /// <summary>The semaphore a receiver names: a static field's, read from the dump; a field of <c>this</c>, from an object
    /// the thread's stack roots that has that field (else known by the field's name only).</summary>
    private Taken Resolve(ClrModule module, Receiver receiver, Lazy<List<ClrObject>> roots)
    {
        if (receiver.StaticType is { } staticType)
        {
            var current = domain is not null && module.GetTypeByName(staticType)?.GetStaticFieldByName(receiver.Path[0]) is { IsObjectReference: true } field ? field.ReadObject(domain) : default;
            return new Taken(Follow(current, receiver.Path, 1), receiver.Name);
        }

        foreach (var root in roots.Value)
        {
            if (Follow(root, receiver.Path, 0) is { IsNull: false } found)
            {
                return new Taken(found, receiver.Name);
            }
        }

        return new Taken(default, receiver.Name);
    }

    private static ClrObject Follow(ClrObject current, List<string> path, int start)
    {
        for (var i = start; i < path.Count && current is { IsNull: false, IsValid: true }; i++)
        {
            current = current.TryReadObjectField(path[i], out var next) ? next : default;
        }

        return current is { IsNull: false, IsValid: true } && current.Type?.Name == "System.Threading.SemaphoreSlim" ? current : default;
    }

    /// <summary>The module's metadata, from the dump's copy of it.</summary>
    private MetadataReader? Metadata(ClrModule module)
    {
        if (!_metadata.TryGetValue(module, out var md))
        {
            md = null;
            try
            {
                if (module.MetadataAddress != 0 && module.MetadataLength is > 0 and < 64 << 20)
                {
                    var bytes = new byte[module.MetadataLength];
                    if (domain!.Runtime.DataTarget.DataReader.Read(module.MetadataAddress, bytes) == bytes.Length)
                    {
                        md = MetadataReaderProvider.FromMetadataImage(ImmutableArray.Create(bytes)).GetMetadataReader();
                    }
                }
            }
            catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException)
            {
                md = null;
            }

            _metadata[module] = md;
        }

        return md;
    }

    /// <summary>Steps back over <paramref name="count"/> arguments made of loads and calls; returns the index of the
    /// receiver's last instruction, or null at anything else.</summary>
    private static int? Skip(MetadataReader md, List<Instruction> code, int end, int count)
    {
        var need = count;
        var k = end;
        while (need > 0)
        {
            if (k < 0)
            {
                return null;
            }

            var effect = code[k].Op switch
            {
                (>= 0x02 and <= 0x09) or 0x0E or 0x0F or 0x11 or 0x12 or (>= 0x14 and <= 0x23) or 0x72 or 0x7E or 0x7F or 0xFE09 or 0xFE0A or 0xFE0C or 0xFE0D => (0, 1),
                0x7B or 0x7C => (1, 1),
                Call or CallVirt when Callee(md, code[k].Operand) is { } callee => (callee.Parameters + (callee.Instance ? 1 : 0), 1),
                _ => ((int, int)?)null,
            };
            if (effect is not { } e)
            {
                return null;
            }

            need += e.Item1 - e.Item2;
            k--;
        }

        return need == 0 ? k : null;
    }

    /// <summary>Reads a receiver ending at <paramref name="end"/>: <c>ldsfld F (ldfld f)*</c> or <c>ldarg.0 ldfld f (ldfld g)*</c>.</summary>
    private static Receiver? Load(MetadataReader md, List<Instruction> code, int end)
    {
        var path = new List<string>();
        var k = end;
        string? name = null;
        while (k >= 0 && code[k].Op == LdField && Field(md, code[k].Operand) is { } field)
        {
            path.Insert(0, field.Name);
            name ??= field.Type is { } owner ? $"field {owner.Replace('+', '.')}.{field.Name}" : null;
            k--;
        }

        if (k < 0)
        {
            return null;
        }

        if (code[k].Op == LdStaticField && Field(md, code[k].Operand) is { Type: { } type } root)
        {
            path.Insert(0, root.Name);
            return new Receiver(type, path, path.Count == 1 ? $"static field {type.Replace('+', '.')}.{root.Name}" : name);
        }

        return code[k].Op == LdArg0 && path.Count > 0 ? new Receiver(null, path, name) : null;
    }

    /// <summary>Where a call's receiver was loaded from: a static field (then fields of what it holds), or fields of
    /// <c>this</c>; and how the other analyses name the field that holds it.</summary>
    private sealed record Receiver(string? StaticType, List<string> Path, string? Name)
    {
        public bool Same(Receiver other) => StaticType == other.StaticType && Path.SequenceEqual(other.Path, StringComparer.Ordinal);
    }

    private static (string? Type, string Name)? Field(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        return handle.Kind switch
        {
            HandleKind.FieldDefinition => (TypeName(md, md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType()), md.GetString(md.GetFieldDefinition((FieldDefinitionHandle)handle).Name)),
            HandleKind.MemberReference => (null, md.GetString(md.GetMemberReference((MemberReferenceHandle)handle).Name)),
            _ => null,
        };
    }

    private static string TypeName(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        var name = md.GetString(type.Name);
        var outer = type.GetDeclaringType();
        if (!outer.IsNil)
        {
            return $"{TypeName(md, outer)}+{name}";
        }

        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : $"{ns}.{name}";
    }

    /// <summary>A called method's declaring type's simple name, its name, its parameter count, whether it has a <c>this</c>.</summary>
    private static (string Type, string Name, int Parameters, bool Instance)? Callee(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        if (handle.Kind == HandleKind.MethodSpecification)
        {
            handle = md.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
        }

        string name, type;
        BlobHandle signature;
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                var definition = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                name = md.GetString(definition.Name);
                type = md.GetString(md.GetTypeDefinition(definition.GetDeclaringType()).Name);
                signature = definition.Signature;
                break;
            case HandleKind.MemberReference:
                var reference = md.GetMemberReference((MemberReferenceHandle)handle);
                name = md.GetString(reference.Name);
                type = reference.Parent.Kind switch
                {
                    HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)reference.Parent).Name),
                    HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)reference.Parent).Name),
                    _ => "?",
                };
                signature = reference.Signature;
                break;
            default:
                return null;
        }

        var blob = md.GetBlobReader(signature);
        var header = blob.ReadSignatureHeader();
        if (header.IsGeneric)
        {
            blob.ReadCompressedInteger();
        }

        return (type, name, blob.ReadCompressedInteger(), header.IsInstance);
    }

    private const int LdArg0 = 0x02;
    private const int Call = 0x28;
    private const int CallVirt = 0x6F;
    private const int LdField = 0x7B;
    private const int LdStaticField = 0x7E;

    private readonly record struct Instruction(int Offset, int Op, long Operand);

    private static List<Instruction> Decode(byte[] il)
    {
        var code = new List<Instruction>();
        var i = 0;
        while (i < il.Length)
        {
            var offset = i;
            int op = il[i++];
            if (op == 0xFE && i < il.Length)
            {
                op = 0xFE00 | il[i++];
            }

            var size = op switch
            {
                0x0E or 0x0F or 0x10 or 0x11 or 0x12 or 0x13 or 0x1F or (>= 0x2B and <= 0x37) or 0xDE or 0xFE12 => 1,
                0xFE09 or 0xFE0A or 0xFE0B or 0xFE0C or 0xFE0D or 0xFE0E => 2,
                0x21 or 0x23 => 8,
                0x45 when i + 4 <= il.Length => 4 + (4 * BitConverter.ToInt32(il, i)),
                0x20 or 0x22 or (>= 0x38 and <= 0x44) or 0xDD or 0x27 or 0x28 or 0x29 or 0x6F or (>= 0x70 and <= 0x75) or 0x79
                    or (>= 0x7B and <= 0x81) or 0x8C or 0x8D or 0x8F or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0
                    or 0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C => 4,
                _ => 0,
            };
            if (i + size > il.Length)
            {
                break;
            }

            long operand = size == 4 ? BitConverter.ToInt32(il, i) : 0;
            code.Add(new Instruction(offset, op, operand));
            i += size;
        }

        return code;
    }
}
