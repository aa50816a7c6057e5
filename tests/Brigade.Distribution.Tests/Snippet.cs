namespace Brigade.Distribution.Tests;

/// <summary>A fenced C# block of a Markdown file: where it is, its info string and its code.</summary>
public sealed record Snippet(string File, int Line, string Info, string Code)
{
    /// <summary>Marked <c>```csharp fragment</c>: part of a larger program on purpose (not compiled alone).</summary>
    public bool IsFragment => Info.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("fragment");

    public override string ToString() => $"{File}:{Line}";

    /// <summary>The C# blocks of every Markdown file that documents Brigade: README.md, docs/*.md, src/*/README.md.</summary>
    public static IReadOnlyList<Snippet> All()
    {
        var root = Repository.Root;
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            .Concat(Directory.GetFiles(Path.Combine(root, "src"), "README.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        return files.SelectMany(f => Parse(Path.GetRelativePath(root, f), System.IO.File.ReadAllLines(f))).ToList();
    }

    public static IEnumerable<Snippet> Parse(string file, string[] lines)
    {
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = lines[i].TrimStart();
            if (!fence.StartsWith("```", StringComparison.Ordinal))
            {
                continue;
            }

            var info = fence[3..].Trim();
            var start = i;
            var end = i + 1;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                end++;
            }

            var language = info.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";
            if (language is "csharp" or "cs" or "c#")
            {
                yield return new Snippet(file.Replace('\\', '/'), start + 1, info, string.Join('\n', lines[(start + 1)..end]));
            }

            i = end;
        }
    }
}
