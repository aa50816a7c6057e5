using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace Brigade.Doctor.Capture;

/// <summary>
/// Finds the data-access library (DAC, <c>libmscordaccore.so</c>) that reads a dump: it must come from the very runtime
/// build the process ran. Candidates are the runtime directory the dump names, then every runtime installed here; a
/// candidate matches when its <c>libcoreclr.so</c> has the dump's build id. ClrMD's own search would download it.
/// </summary>
internal static class DacLocator
{
    private const string DacName = "libmscordaccore.so";
    private const string CoreClrName = "libcoreclr.so";

    public static string? RuntimeVersion(ClrInfo clr)
    {
        if (clr.Version is { Major: > 0 } version)
        {
            return version.ToString();
        }

        var directory = Path.GetFileName(Path.GetDirectoryName(clr.ModuleInfo.FileName));
        return Version.TryParse(directory?.Split('-')[0], out _) ? directory : null;
    }

    public static ClrRuntime CreateRuntime(ClrInfo clr, string? dacPath, string? version)
    {
        if (dacPath is not null && !File.Exists(dacPath))
        {
            throw new DoctorException(DoctorErrorKind.RuntimeMismatch, $"--dac: no file '{dacPath}'");
        }

        var path = dacPath ?? Find(clr, version) ?? throw Mismatch(clr, version);
        try
        {
            return clr.CreateRuntime(path, ignoreMismatch: true);
        }
        catch (Exception e) when (e is ClrDiagnosticsException or DllNotFoundException or BadImageFormatException or InvalidOperationException or FileNotFoundException)
        {
            throw new DoctorException(DoctorErrorKind.RuntimeMismatch, $"the data-access library '{path}' could not read this dump ({e.Message}); it needs the one of .NET {version ?? "(unknown version)"}", e);
        }
    }

    private static string? Find(ClrInfo clr, string? version)
    {
        var wanted = clr.ModuleInfo.BuildId;
        foreach (var directory in Candidates(clr))
        {
            var dac = Path.Combine(directory, DacName);
            var coreclr = Path.Combine(directory, CoreClrName);
            if (!File.Exists(dac) || !File.Exists(coreclr))
            {
                continue;
            }

            if (wanted.IsDefaultOrEmpty)
            {
                // No build id in the dump: only the exact version directory will do.
                if (version is not null && Path.GetFileName(directory) == version)
                {
                    return dac;
                }

                continue;
            }

            if (ElfBuildId.Read(coreclr) is { } id && id.AsSpan().SequenceEqual(wanted.AsSpan()))
            {
                return dac;
            }
        }

        return null;
    }

    private static IEnumerable<string> Candidates(ClrInfo clr)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var named = Path.GetDirectoryName(clr.ModuleInfo.FileName);
        if (!string.IsNullOrEmpty(named) && seen.Add(named))
        {
            yield return named;
        }

        var roots = new List<string?>
        {
            Path.GetDirectoryName(Path.GetDirectoryName(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/'))),
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } dotnetRoot ? Path.Combine(dotnetRoot, "shared", "Microsoft.NETCore.App") : null,
            "/usr/share/dotnet/shared/Microsoft.NETCore.App",
            "/usr/lib/dotnet/shared/Microsoft.NETCore.App",
            "/usr/local/share/dotnet/shared/Microsoft.NETCore.App",
        };
        foreach (var root in roots)
        {
            if (root is null || !Directory.Exists(root))
            {
                continue;
            }

            foreach (var directory in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                if (seen.Add(directory))
                {
                    yield return directory;
                }
            }
        }
    }

    private static DoctorException Mismatch(ClrInfo clr, string? version)
    {
        var id = clr.ModuleInfo.BuildId.IsDefaultOrEmpty ? "" : $", libcoreclr.so build id {Convert.ToHexStringLower(clr.ModuleInfo.BuildId.AsSpan())}";
        var runtime = version is null ? "a .NET runtime not installed here" : $".NET {version}";
        return new DoctorException(DoctorErrorKind.RuntimeMismatch,
            $"this dump comes from {runtime} (at {Path.GetDirectoryName(clr.ModuleInfo.FileName)}{id}); reading it needs that runtime's data-access library {DacName}: " +
            $"install Microsoft.NETCore.App {version ?? "of that version"} here, or pass --dac PATH to its {DacName}");
    }
}
