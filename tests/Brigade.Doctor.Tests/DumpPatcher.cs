using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

/// <summary>Makes a copy of a dump that looks taken from another build of the runtime: every copy of the local
/// <c>libcoreclr.so</c>'s build id inside it is altered, so no installed runtime matches.</summary>
internal static class DumpPatcher
{
    public static void ChangeCoreClrBuildId(string dump, string copy)
    {
        var coreclr = Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "libcoreclr.so");
        var id = ElfBuildId.Read(coreclr) ?? throw new InvalidOperationException("no build id in " + coreclr);
        var bytes = File.ReadAllBytes(dump);
        var patched = 0;
        for (var at = bytes.AsSpan().IndexOf(id); at >= 0;)
        {
            bytes[at] ^= 0xFF;
            patched++;
            var next = bytes.AsSpan(at + 1).IndexOf(id);
            at = next < 0 ? -1 : at + 1 + next;
        }

        if (patched == 0)
        {
            throw new InvalidOperationException("the dump does not contain libcoreclr.so's build id");
        }

        File.WriteAllBytes(copy, bytes);
    }
}
