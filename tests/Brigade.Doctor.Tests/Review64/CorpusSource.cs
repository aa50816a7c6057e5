namespace Brigade.Doctor.Tests.Review64;

/// <summary>Line numbers in the corpus's sources, so a test can name the line a report must point at without a literal that
/// goes stale when the file is edited.</summary>
internal static class CorpusSource
{
    /// <summary>The 1-based line of the only line of <paramref name="file"/> (under the corpus's Scenarios) that is, trimmed,
    /// <paramref name="text"/>.</summary>
    public static int LineOf(string file, string text)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "tests", "Brigade.Doctor.Corpus", "Scenarios", file));
        var found = Enumerable.Range(0, lines.Length).Where(i => lines[i].Trim() == text).ToList();
        return Assert.Single(found) + 1;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Brigade.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Brigade.slnx not found above " + AppContext.BaseDirectory);
    }
}
