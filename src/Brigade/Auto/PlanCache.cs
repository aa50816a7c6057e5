using System.Runtime.InteropServices;
using System.Text.Json;

namespace Brigade.Auto;

/// <summary>
/// Remembers plans per work and machine in a small JSON file, so that the next run of the same work starts with
/// the right plan instead of a sample, in the spirit of FFTW's wisdom.
/// </summary>
/// <remarks>
/// <para>The file is read once per process and directory, and rewritten (to a temporary file, then renamed over
/// the old one) only when a plan changes materially. A missing, unreadable or corrupt file counts as empty: the
/// cache is an optimization and never fails a run. Concurrent writers may lose each other's newest entry; the
/// loser's next run simply samples again.</para>
/// <para>Keys combine a machine fingerprint (cores, architecture, OS, processor model) with the work's identity,
/// <see cref="EngineJob{TIn, TOut}.WorkIdentity"/>: its assembly's build (MVID) and its method or type. A
/// compiler-generated lambda name alone (<c>&lt;&gt;c.&lt;Main&gt;b__0_0</c>) is the same in every application, so two
/// applications' lambdas would share a plan; with the MVID they do not, and a rebuilt assembly samples afresh. A dynamic
/// method (a compiled expression) has no such identity, only a per-process name: its plans are not remembered.</para>
/// <para>Plans measured mostly while the JIT compiled the work (a cold first run) are not remembered.</para>
/// </remarks>
internal sealed class PlanCache
{
    // 2: keys by work identity (assembly MVID and metadata token) instead of the work's name.
    public const int FormatVersion = 2;
    public const string FileName = "plans.json";
    private const int MaxEntries = 512;

    // Guards Loaded and every document in it: runs of any engine instance may read and update the same file.
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, Dictionary<string, PlanCacheEntry>> Loaded = new(StringComparer.Ordinal);
    private static readonly Lazy<string> MachineKey = new(ComputeMachineKey);

    // The last DefaultDirectory answer on Linux and macOS, with the environment it came from.
    private static DefaultDirectoryAnswer? _lastDefault;

    public PlanCache(string directory)
    {
        Directory = directory;
        FilePath = Path.Combine(directory, FileName);
    }

    public string Directory { get; }

    public string FilePath { get; }

    public static string Machine => MachineKey.Value;

    /// <summary>Returns the standard cache directory: <c>$XDG_CACHE_HOME/brigade</c>, <c>~/.cache/brigade</c>, or <c>%LOCALAPPDATA%\brigade</c>.</summary>
    /// <remarks>Every auto run with the cache on asks: the answer is kept for the environment it was computed from
    /// (<c>XDG_CACHE_HOME</c> and <c>HOME</c>), since finding the home directory checks that it exists (a system call).</remarks>
    public static string DefaultDirectory()
    {
        if (!OperatingSystem.IsWindows())
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var homeVariable = Environment.GetEnvironmentVariable("HOME");
            if (Volatile.Read(ref _lastDefault) is { } last && last.Xdg == xdg && last.Home == homeVariable)
            {
                return last.Directory;
            }

            var directory = UnixDirectory(xdg);
            if (directory is not null)
            {
                Volatile.Write(ref _lastDefault, new DefaultDirectoryAnswer(xdg, homeVariable, directory));
                return directory;
            }
        }

        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "brigade");
    }

    private static string? UnixDirectory(string? xdg)
    {
        if (!string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "brigade");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "brigade");
    }

    public static string KeyFor(string workName) => $"{Machine}|{workName}";

    public PlanCacheEntry? TryGet(string key)
    {
        lock (Gate)
        {
            return Entries().TryGetValue(key, out var entry) ? entry : null;
        }
    }

    /// <summary>Stores an entry; rewrites the file when it is new or differs materially from the remembered one.</summary>
    /// <returns>Whether the file was written.</returns>
    public bool Put(string key, PlanCacheEntry entry)
    {
        Dictionary<string, PlanCacheEntry> snapshot;
        lock (Gate)
        {
            var entries = Entries();
            var changed = !entries.TryGetValue(key, out var old) || entry.DiffersMaterially(old);
            entries[key] = entry;
            if (!changed)
            {
                return false;
            }

            // Merge what other processes wrote since we read the file, keeping our entries where both have one.
            foreach (var (k, v) in Read(FilePath))
            {
                entries.TryAdd(k, v);
            }

            if (entries.Count > MaxEntries)
            {
                foreach (var stale in entries.OrderBy(e => e.Value.Updated).Take(entries.Count - MaxEntries).Select(e => e.Key).ToList())
                {
                    entries.Remove(stale);
                }
            }

            snapshot = new Dictionary<string, PlanCacheEntry>(entries, StringComparer.Ordinal);
        }

        return Write(snapshot);
    }

    /// <summary>Forgets what this process read from the file, so the next access reads it again (for tests).</summary>
    internal static void ResetLoaded()
    {
        lock (Gate)
        {
            Loaded.Clear();
        }
    }

    private Dictionary<string, PlanCacheEntry> Entries()
    {
        if (!Loaded.TryGetValue(FilePath, out var entries))
        {
            entries = Read(FilePath);
            Loaded[FilePath] = entries;
        }

        return entries;
    }

    private static Dictionary<string, PlanCacheEntry> Read(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return new(StringComparer.Ordinal);
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var document = JsonSerializer.Deserialize(stream, PlanCacheJsonContext.Default.PlanCacheDocument);
            if (document is not { Version: FormatVersion, Plans: { } plans })
            {
                return new(StringComparer.Ordinal);
            }

            var valid = new Dictionary<string, PlanCacheEntry>(StringComparer.Ordinal);
            foreach (var (key, entry) in plans)
            {
                if (entry is not null && Enum.TryParse<WorkloadClass>(entry.Class, out _) && entry.TimePerItemNs >= 0 && double.IsFinite(entry.TimePerItemNs))
                {
                    valid[key] = entry;
                }
            }

            return valid;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            // A corrupt or unreadable cache is an empty cache: plans are only ever a head start.
            return new(StringComparer.Ordinal);
        }
    }

    private bool Write(Dictionary<string, PlanCacheEntry> entries)
    {
        var temp = Path.Combine(Directory, $".{FileName}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, new PlanCacheDocument { Plans = entries }, PlanCacheJsonContext.Default.PlanCacheDocument);
            }

            File.Move(temp, FilePath, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: a stray temporary file is harmless.
            }

            return false;
        }
    }

    private static string ComputeMachineKey()
    {
        var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "other";
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var model = ProcessorModel();
        var hash = 2166136261u;
        foreach (var c in model)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return $"{Environment.ProcessorCount}c-{arch}-{os}-{hash:x8}";
    }

    private static string ProcessorModel()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                    {
                        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unknown model only makes the key less specific.
        }

        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? "";
    }

    private sealed record DefaultDirectoryAnswer(string? Xdg, string? Home, string Directory);
}
