using System.Runtime.InteropServices;

namespace Brigade.Doctor.Capture;

/// <summary>The few libc calls the dump capture needs: who we are, and handing a directory to the target's user.</summary>
internal static partial class Native
{
    public static uint EffectiveUserId() => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? geteuid() : 0;

    public static bool ChangeOwner(string path, uint userId, uint groupId) => chown(path, userId, groupId) == 0;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint geteuid();

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int chown(string path, uint owner, uint group);
}
