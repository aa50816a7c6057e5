namespace Brigade.Orleans.Tests.Deployment;

/// <summary>The Debian packages the deployment tests start servers from (installed by the CI set-up script).</summary>
internal static class ServiceBinaries
{
    public static void Require(string path, string package)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"{path} is missing: install Debian's {package} (apt-get install {package}); the CI set-up script does.");
        }
    }

    /// <summary>The newest PostgreSQL server binaries directory under /usr/lib/postgresql.</summary>
    public static string PostgresBin()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries (initdb, postgres) are missing under /usr/lib/postgresql: install Debian's postgresql (apt-get install postgresql); the CI set-up script does.");
    }
}
