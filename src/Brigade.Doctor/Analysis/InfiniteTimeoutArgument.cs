using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Reads, in the IL of the application method that called a timed wait (<c>Task.WaitAll(tasks, timeout)</c>), whether
/// the timeout it passed is written as <c>Timeout.Infinite</c> (or <c>-1</c>) or <c>Timeout.InfiniteTimeSpan</c>: the
/// instruction just before the call is <c>ldc.i4.m1</c> / <c>ldc.i4(.s) -1</c> or <c>ldsfld Timeout.InfiniteTimeSpan</c>.
/// The value itself is not in the dump (it is in a register). That instruction is the argument when no branch lands on the
/// call (<c>cond ? Timeout.Infinite : ms</c> ends with <c>ldc.i4.m1</c> too, its paths meeting on the call); one landing on
/// the literal is harmless (review 51). The frame's IL offset does not tell which call it is in (the return address maps to
/// an offset at or before its own call), so every call to that method in the caller must pass an infinite timeout: a
/// method that waits once with a finite timeout and once with an infinite one says nothing, even while it is in the
/// infinite wait (a miss, never a false alarm). Anything else (a variable, a finite literal, an unreadable body) says
/// nothing: the wait stays timed.
/// </summary>
internal static class InfiniteTimeoutArgument
{
    /// <summary>The value of <c>Timeout.Infinite</c>, as <see cref="LastArguments"/> reads it (<c>InfiniteTimeSpan</c> too).</summary>
    internal const long Infinite = -1;

    private const int LdcI4M1 = 0x15;
    private const int LdcI4Eight = 0x1E;
    private const int LdcI4S = 0x1F;
    private const int LdcI4 = 0x20;
    private const int Call = 0x28;
    private const int CallVirt = 0x6F;
    private const int LdStaticField = 0x7E;

    /// <summary>Gets whether the method of <paramref name="frame"/> calls <c>declaringType.method</c> with an infinite timeout as the
    /// last argument at every call to it (so at the one <paramref name="frame"/> returns to).</summary>
    public static bool Passes(ClrRuntime runtime, ClrStackFrame frame, string declaringType, string method)
    {
        try
        {
            return Read(runtime, frame, declaringType, method);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Review 71: as <see cref="Passes"/>, but only the calls that may be the one <paramref name="frame"/> is in must
    /// pass an infinite timeout: those at or after the frame's IL offset (it is at or before its own call), and one that
    /// ends right at it. A <c>Main</c> that sleeps 300 ms in one branch and for ever at its end is in the latter. Without an
    /// offset, every call must.</summary>
    public static bool PassesAtFrame(ClrRuntime runtime, ClrStackFrame frame, string declaringType, string method)
    {
        try
        {
            return Read(runtime, frame, declaringType, method, frame.Method?.GetILOffset(frame.InstructionPointer) ?? -1);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Review 72: the finite timeouts (ms) the method of <paramref name="frame"/> passes as literals, as the last
    /// argument, to <c>declaringType.method</c> at the calls <paramref name="frame"/> may be in (as <see cref="PassesAtFrame"/>
    /// picks them): <c>Monitor.TryEnter(other, 20)</c> gives up after 20 ms. Null unless every such call passes a literal of 0
    /// or more on a straight path (a variable, <c>Timeout.Infinite</c>, an unreadable body: null, the timeout unknown).</summary>
    public static IReadOnlyList<long>? FiniteAtFrame(ClrRuntime runtime, ClrStackFrame frame, string declaringType, string method)
    {
        try
        {
            return Literals(runtime, frame, declaringType, method, frame.Method?.GetILOffset(frame.InstructionPointer) ?? -1) is { Count: > 0 } values
                && values.TrueForAll(v => v >= 0) ? [.. values.Cast<long>().Distinct().Order()] : null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or BadImageFormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    private static bool Read(ClrRuntime runtime, ClrStackFrame frame, string declaringType, string method, int current = -1) =>
        Literals(runtime, frame, declaringType, method, current) is { Count: > 0 } values && values.TrueForAll(v => v == Infinite);

    private static List<long?>? Literals(ClrRuntime runtime, ClrStackFrame frame, string declaringType, string method, int current)
    {
        var reader = runtime.DataTarget.DataReader;
        if (frame.Method is not { Type.Module: { } module } caller || module.MetadataAddress == 0 || module.MetadataLength is <= 0 or >= 64 << 20
            || IlReader.Body(caller, reader) is not { } bytes)
        {
            return null;
        }

        var image = new byte[module.MetadataLength];
        if (reader.Read(module.MetadataAddress, image) != image.Length)
        {
            return null;
        }

        var md = MetadataReaderProvider.FromMetadataImage(ImmutableArray.Create(image)).GetMetadataReader();
        return LastArguments(bytes, token => Member(md, token), declaringType, method, current);
    }

    /// <summary>Gets whether every call to <c>declaringType.method</c> in the IL <paramref name="bytes"/> passes an infinite timeout
    /// as its last argument: the instruction just before the call is the literal, and no branch lands on the call. A branch
    /// that lands on the literal itself changes nothing: every path through it pushes the same value (review 51: a
    /// <c>Thread.Sleep(Timeout.Infinite)</c> after a <c>switch</c> or an <c>if</c>, whose ends jump to the literal, read as a
    /// sleep that wakes). <c>cond ? Timeout.Infinite : ms</c> ends with <c>ldc.i4.m1</c> too, but its paths meet on the call,
    /// a branch target: still not infinite. <paramref name="member"/> names a token's declaring type and member.</summary>
    internal static bool EveryCallPassesInfinite(byte[] bytes, Func<long, (string Type, string Name)?> member, string declaringType, string method, int current = -1) =>
        LastArguments(bytes, member, declaringType, method, current) is { Count: > 0 } values && values.TrueForAll(v => v == Infinite);

    /// <summary>Review 72: the literal each call to <c>declaringType.method</c> in <paramref name="bytes"/> that the frame may be
    /// in (all of them without an offset) passes as its last argument, on a straight path as <see cref="EveryCallPassesInfinite"/>
    /// reads it: <see cref="Infinite"/> for <c>Timeout.Infinite</c>, <c>-1</c> or <c>Timeout.InfiniteTimeSpan</c>, the value of
    /// any other <c>ldc.i4</c>, null for anything else (a variable, a call, a branch landing on the call).</summary>
    internal static List<long?> LastArguments(byte[] bytes, Func<long, (string Type, string Name)?> member, string declaringType, string method, int current = -1)
    {
        var code = IlReader.Decode(bytes);
        var targets = IlReader.BranchTargets(bytes, code);
        var calls = new List<long?>();
        // Review 71: with the frame's IL offset, the calls it may be in (at or after it, or one ending right at it); none
        // such (an offset past them all), every call.
        if (current >= 0 && !code.Exists(c => c.Op is Call or CallVirt && (c.Offset >= current || c.Offset + 5 == current) && member(c.Operand) == (declaringType, method)))
        {
            current = -1;
        }

        for (var i = 1; i < code.Count; i++)
        {
            if (code[i].Op is Call or CallVirt && member(code[i].Operand) == (declaringType, method)
                && (current < 0 || code[i].Offset >= current || code[i].Offset + 5 == current))
            {
                // The argument is the instruction just before the call only when no branch lands on the call. One that
                // follows a br or a ret without being a branch target is never run (nor is the call).
                var previous = code[i - 1];
                calls.Add(targets.Contains(code[i].Offset) ? null
                    : previous.Op is >= LdcI4M1 and <= LdcI4Eight ? previous.Op - LdcI4M1 - 1
                    : previous.Op is LdcI4S or LdcI4 ? previous.Operand
                    : previous.Op == LdStaticField && member(previous.Operand) == ("Timeout", "InfiniteTimeSpan") ? Infinite
                    : null);
            }
        }

        // The frame's IL offset does not tell which call it is in (it can be at or before its own call), so every call to
        // that method it may be in counts.
        return calls;
    }

    /// <summary>A member's declaring type's simple name and its name (a method or a field: IlReader.Callee reads methods only).</summary>
    private static (string Type, string Name)? Member(MetadataReader md, long token)
    {
        var handle = MetadataTokens.EntityHandle((int)token);
        if (handle.Kind == HandleKind.MethodSpecification)
        {
            handle = md.GetMethodSpecification((MethodSpecificationHandle)handle).Method;
        }

        switch (handle.Kind)
        {
            case HandleKind.MemberReference:
                var reference = md.GetMemberReference((MemberReferenceHandle)handle);
                var type = reference.Parent.Kind switch
                {
                    HandleKind.TypeReference => md.GetString(md.GetTypeReference((TypeReferenceHandle)reference.Parent).Name),
                    HandleKind.TypeDefinition => md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)reference.Parent).Name),
                    _ => "?",
                };
                return (type, md.GetString(reference.Name));
            case HandleKind.MethodDefinition:
                var definition = md.GetMethodDefinition((MethodDefinitionHandle)handle);
                return (md.GetString(md.GetTypeDefinition(definition.GetDeclaringType()).Name), md.GetString(definition.Name));
            case HandleKind.FieldDefinition:
                var field = md.GetFieldDefinition((FieldDefinitionHandle)handle);
                return (md.GetString(md.GetTypeDefinition(field.GetDeclaringType()).Name), md.GetString(field.Name));
            default:
                return null;
        }
    }
}
