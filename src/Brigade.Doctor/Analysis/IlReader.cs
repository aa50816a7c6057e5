using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// The little of a method body's IL that the async analyses read (<see cref="AwaitSites"/>, <see cref="AsyncThreadHolders"/>):
/// its instructions with their operands, and the names behind a call's or a type's metadata token.
/// </summary>
internal static class IlReader
{
    /// <summary>The metadata of <paramref name="module"/>, from the dump's copy of it (cached per module in
    /// <paramref name="cache"/>); null when the dump does not hold it or it cannot be read.</summary>
    public static MetadataReader? ModuleMetadata(Microsoft.Diagnostics.Runtime.ClrModule module, Dictionary<Microsoft.Diagnostics.Runtime.ClrModule, MetadataReader?> cache)
    {
        if (!cache.TryGetValue(module, out var md))
        {
            md = null;
            try
            {
                if (module.MetadataAddress != 0 && module.MetadataLength is > 0 and < 64 << 20 && module.AppDomain?.Runtime.DataTarget.DataReader is { } data)
                {
                    var bytes = new byte[module.MetadataLength];
                    if (data.Read(module.MetadataAddress, bytes) == bytes.Length)
                    {
                        md = MetadataReaderProvider.FromMetadataImage(System.Collections.Immutable.ImmutableArray.Create(bytes)).GetMetadataReader();
                    }
                }
            }
            catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or ArgumentException)
            {
                md = null;
            }

            cache[module] = md;
        }

        return md;
    }

    /// <summary>An instruction: its offset, its opcode (two-byte ones as <c>0xFE..</c>), and its operand (a token, a
    /// branch's displacement, a local's or argument's number, a constant; <c>ldc.i4.s</c> and short branches sign-extended),
    /// or 0.</summary>
    internal readonly record struct Instruction(int Offset, int Op, long Operand);

    /// <summary>A method's IL as the dump holds it; null when it has none, its size is implausible (over 1 MB) or the
    /// dump cannot give all of it.</summary>
    public static byte[]? Body(Microsoft.Diagnostics.Runtime.ClrMethod method, Microsoft.Diagnostics.Runtime.IDataReader reader)
    {
        var il = method.GetILInfo();
        if (il is null || il.Address == 0 || il.Length is <= 0 or > 1 << 20)
        {
            return null;
        }

        var bytes = new byte[il.Length];
        return reader.Read(il.Address, bytes) == bytes.Length ? bytes : null;
    }

    /// <summary>Decodes a method body's IL; a body cut short ends the list where its last whole instruction ends.</summary>
    public static List<Instruction> Decode(byte[] il)
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

            var size = OperandSize(op, il, i);
            if (size < 0 || i + size > il.Length)
            {
                break;
            }

            long operand = size switch
            {
                1 => op is 0x1F or (>= 0x2B and <= 0x37) or 0xDE ? (sbyte)il[i] : il[i],
                2 => BitConverter.ToUInt16(il, i),
                4 => BitConverter.ToInt32(il, i),
                8 => BitConverter.ToInt64(il, i),
                _ => 0,
            };
            code.Add(new Instruction(offset, op, operand));
            i += size;
        }

        return code;
    }

    /// <summary>The offsets that a branch, a <c>leave</c> or a <c>switch</c> of <paramref name="code"/> (decoded from
    /// <paramref name="il"/>) jumps to.</summary>
    public static HashSet<int> BranchTargets(byte[] il, List<Instruction> code)
    {
        var targets = new HashSet<int>();
        foreach (var instruction in code)
        {
            switch (instruction.Op)
            {
                case (>= 0x2B and <= 0x37) or 0xDE:
                    targets.Add(instruction.Offset + 2 + (int)instruction.Operand);
                    break;
                case (>= 0x38 and <= 0x44) or 0xDD:
                    targets.Add(instruction.Offset + 5 + (int)instruction.Operand);
                    break;
                case 0x45:
                    var count = BitConverter.ToInt32(il, instruction.Offset + 1);
                    var next = instruction.Offset + 5 + (4 * count);
                    for (var k = 0; k < count; k++)
                    {
                        targets.Add(next + BitConverter.ToInt32(il, instruction.Offset + 5 + (4 * k)));
                    }

                    break;
            }
        }

        return targets;
    }

    /// <summary>Whether an instruction never falls through to the next one: <c>br</c>, <c>leave</c>, <c>ret</c>,
    /// <c>throw</c>, <c>rethrow</c>, <c>jmp</c>, <c>endfinally</c>, <c>endfilter</c>.</summary>
    public static bool EndsPath(int op) => op is 0x2B or 0x38 or 0xDD or 0xDE or 0x2A or 0x7A or 0xFE1A or 0x27 or 0xDC or 0xFE11;

    /// <summary>A called method: its declaring type's simple name (without a generic arity), its name, its parameter count,
    /// whether it is an instance method, and whether it returns a value.</summary>
    public static (string Type, string Name, int Parameters, bool Instance, bool Returns)? Callee(MetadataReader md, long token)
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
                    HandleKind.TypeSpecification => GenericName(md, (TypeSpecificationHandle)reference.Parent),
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

        var parameters = blob.ReadCompressedInteger();
        var returns = blob.ReadSignatureTypeCode() != SignatureTypeCode.Void;
        var tick = type.IndexOf('`', StringComparison.Ordinal);
        return (tick > 0 ? type[..tick] : type, name, parameters, header.IsInstance, returns);
    }

    /// <summary>Whether a called method returns a generic instance (<c>Task&lt;bool&gt;</c>): of the
    /// <c>SemaphoreSlim.WaitAsync</c> overloads, those with a timeout, whose result says whether the slot was taken.</summary>
    public static bool ReturnsGenericInstance(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        if (handle.Kind == HandleKind.MethodSpecification)
        {
            handle = md.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
        }

        var signature = handle.Kind switch
        {
            HandleKind.MethodDefinition => md.GetMethodDefinition((MethodDefinitionHandle)handle).Signature,
            HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)handle).Signature,
            _ => default,
        };
        if (signature.IsNil)
        {
            return false;
        }

        var blob = md.GetBlobReader(signature);
        if (blob.ReadSignatureHeader().IsGeneric)
        {
            blob.ReadCompressedInteger();
        }

        blob.ReadCompressedInteger();
        return blob.ReadSignatureTypeCode() == SignatureTypeCode.GenericTypeInstance;
    }

    /// <summary>A type's full name as ClrMD writes it (<c>Ns.Outer+Inner</c>).</summary>
    public static string TypeName(MetadataReader md, TypeDefinitionHandle handle)
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

    // The generic type's name of a type specification (Task`1 of Task<int>), or "?".
    private static string GenericName(MetadataReader md, TypeSpecificationHandle handle)
    {
        var blob = md.GetBlobReader(md.GetTypeSpecification(handle).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return "?";
        }

        blob.ReadSignatureTypeCode();
        var generic = blob.ReadTypeHandle();
        return generic.Kind switch
        {
            HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)generic).Name),
            HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)generic).Name),
            _ => "?",
        };
    }

    // The operand's size in bytes after opcode op (at il[at]), or -1 when a switch's table does not fit.
    private static int OperandSize(int op, byte[] il, int at) => op switch
    {
        0x0E or 0x0F or 0x10 or 0x11 or 0x12 or 0x13 or 0x1F or (>= 0x2B and <= 0x37) or 0xDE or 0xFE12 or 0xFE19 => 1,
        0xFE09 or 0xFE0A or 0xFE0B or 0xFE0C or 0xFE0D or 0xFE0E => 2,
        0x21 or 0x23 => 8,
        0x45 => at + 4 <= il.Length ? 4 + (4 * BitConverter.ToInt32(il, at)) : -1,
        0x20 or 0x22 or (>= 0x38 and <= 0x44) or 0xDD or 0x27 or 0x28 or 0x29 or 0x6F or (>= 0x70 and <= 0x75) or 0x79
            or (>= 0x7B and <= 0x81) or 0x8C or 0x8D or 0x8F or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0
            or 0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C => 4,
        _ => 0,
    };
}
