namespace Brigade.Cli.Run;

/// <summary>
/// Where a program named without a <c>/</c> lives on <c>PATH</c>, searched once per distinct name (as a shell's
/// command hash does) instead of once per command: <c>posix_spawnp</c> tries <c>execve</c> in every <c>PATH</c>
/// directory before the right one (8 failed calls for <c>echo</c> on a Debian <c>PATH</c>).
/// </summary>
/// <remarks>
/// <para>The search is <c>execvp</c>'s: the <c>PATH</c> directories in order, the first regular file this process may
/// execute; an unset <c>PATH</c> is glibc's default <c>/bin:/usr/bin</c>. A cached path is only a first try: when
/// spawning it fails for any reason (the file was removed, replaced by a directory, lost its execute bit), the caller
/// forgets it (<see cref="Forget"/>) and spawns with <c>posix_spawnp</c>, which searches again, so a command behaves
/// as under <c>execvp</c> whatever became of the file. A different <c>PATH</c> starts an empty cache.</para>
/// <para>Not cached (the caller searches with <c>posix_spawnp</c> every time): names holding a <c>/</c> (no search
/// at all), and a name whose search reaches a relative or empty <c>PATH</c> entry (the working directory, read at
/// the moment of each spawn). As with a shell's hash, a program installed after the first search in a directory
/// earlier on <c>PATH</c> than the cached one is not noticed during the run.</para>
/// </remarks>
internal sealed class ProgramPathCache(Func<string, bool> isExecutableFile)
{
    /// <summary>What glibc searches when <c>PATH</c> is unset (<c>confstr(_CS_PATH)</c>).</summary>
    public const string DefaultSearchPath = "/bin:/usr/bin";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, string> _paths = new(StringComparer.Ordinal);
    private string? _searchPath;

    /// <summary>A cache that checks files with <c>access(X_OK)</c> and that they are not directories.</summary>
    public ProgramPathCache()
        : this(IsExecutableFile)
    {
    }

    /// <summary>Returns the absolute path of <paramref name="program"/> on <paramref name="searchPath"/>, or null when the caller must search (see remarks).</summary>
    public string? Find(string program, string? searchPath)
    {
        if (program.Length == 0 || program.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        searchPath ??= DefaultSearchPath;
        lock (_gate)
        {
            if (!string.Equals(searchPath, _searchPath, StringComparison.Ordinal))
            {
                _paths.Clear();
                _searchPath = searchPath;
            }
            else if (_paths.TryGetValue(program, out var cached))
            {
                return cached;
            }
        }

        // Outside the lock: file-system calls, once per name (two threads may both search it; they find the same).
        var found = Search(program, searchPath);
        if (found is not null)
        {
            lock (_gate)
            {
                if (string.Equals(searchPath, _searchPath, StringComparison.Ordinal))
                {
                    _paths[program] = found;
                }
            }
        }

        return found;
    }

    /// <summary>Drops what is cached for <paramref name="program"/>: spawning its path failed, the next command searches again.</summary>
    public void Forget(string program)
    {
        lock (_gate)
        {
            _paths.Remove(program);
        }
    }

    private string? Search(string program, string searchPath)
    {
        foreach (var directory in searchPath.Split(':'))
        {
            if (!directory.StartsWith('/'))
            {
                return null; // the working directory (an empty or relative entry): posix_spawnp searches it as it is then
            }

            var candidate = directory.EndsWith('/') ? directory + program : directory + "/" + program;
            if (isExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static unsafe bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false; // missing, or a directory (execve refuses those with EACCES, and execvp looks further)
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return ExecNative.access(p, ExecNative.XOk) == 0;
        }
    }
}
