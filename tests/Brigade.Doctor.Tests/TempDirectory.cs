namespace Brigade.Doctor.Tests;

/// <summary>A unique temporary directory, removed on dispose (dumps are large).</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        var root = CorpusFixture.DumpDirectory ?? System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(root, $"brigade-doctor-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
