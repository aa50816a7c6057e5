using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Analysis;

/// <summary>
/// Maps a frame to its source file and line through the module's portable PDB: beside the module or embedded in it,
/// as the runtime's own <c>ManagedFileLineService</c> does. Modules without one (the framework's, usually) get none.
/// </summary>
internal sealed class SourceLines : IDisposable
{
    // Module path -> its PDB reader, or null when it has none.
    private readonly Dictionary<string, MetadataReaderProvider?> _pdbs = new(StringComparer.Ordinal);

    public (string File, int Line)? Find(ClrStackFrame frame, bool isTopFrame)
    {
        var method = frame.Method;
        var modulePath = method?.Type?.Module?.Name;
        if (method is null || string.IsNullOrEmpty(modulePath) || method.MetadataToken == 0)
        {
            return null;
        }

        // A frame below the top is at a return address: the call is the instruction before it.
        var ip = isTopFrame ? frame.InstructionPointer : frame.InstructionPointer - 1;
        var ilOffset = method.GetILOffset(ip);
        return Find(modulePath, method.MetadataToken, ilOffset < 0 ? 0 : ilOffset);
    }

    /// <summary>Maps an IL offset of a method (by metadata token) of a module to its source file and line.</summary>
    public (string File, int Line)? Find(string modulePath, int methodToken, int ilOffset)
    {
        var reader = Reader(modulePath);
        if (reader is null)
        {
            return null;
        }

        try
        {
            var handle = MetadataTokens.MethodDebugInformationHandle(MetadataTokens.GetRowNumber(MetadataTokens.EntityHandle(methodToken)));
            SequencePoint? best = null;
            foreach (var point in reader.GetMethodDebugInformation(handle).GetSequencePoints())
            {
                if (point.IsHidden || point.Offset > ilOffset)
                {
                    continue;
                }

                if (best is null || point.Offset >= best.Value.Offset)
                {
                    best = point;
                }
            }

            if (best is not { } found)
            {
                return null;
            }

            var document = reader.GetDocument(found.Document);
            return (reader.GetString(document.Name), found.StartLine);
        }
        catch (BadImageFormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var provider in _pdbs.Values)
        {
            provider?.Dispose();
        }

        _pdbs.Clear();
    }

    private MetadataReader? Reader(string modulePath)
    {
        if (!_pdbs.TryGetValue(modulePath, out var provider))
        {
            provider = Open(modulePath);
            _pdbs[modulePath] = provider;
        }

        return provider?.GetMetadataReader();
    }

    private static MetadataReaderProvider? Open(string modulePath)
    {
        if (!File.Exists(modulePath))
        {
            return null;
        }

        try
        {
            using var pe = new PEReader(File.OpenRead(modulePath));
            return pe.TryOpenAssociatedPortablePdb(modulePath, path => File.Exists(path) ? File.OpenRead(path) : null, out var provider, out _) ? provider : null;
        }
        catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }
}
