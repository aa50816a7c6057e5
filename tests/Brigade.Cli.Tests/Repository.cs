namespace Brigade.Cli.Tests;

/// <summary>The clone these tests were built from.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Brigade.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Brigade.slnx not found above " + AppContext.BaseDirectory);
    }
}
