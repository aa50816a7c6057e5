using System.Text.RegularExpressions;
using Brigade.Doctor.Corpus;

namespace Brigade.Doctor.Tests.Review61;

/// <summary>
/// Review 61: docs/doctor.md's corpus summary had fallen behind the corpus (it counted 17 deadlocks and 20 twins of the first
/// programs; 141 scenarios were there, dozens of them named nowhere in it). Its list of scenarios by label is now checked
/// against the corpus itself: every scenario once, under its label, and the counts right. No process is started.
/// </summary>
public sealed partial class CorpusDocsTests
{
    [Fact]
    public void TheDocsListEveryCorpusScenarioUnderItsLabel_AndNoOther()
    {
        var docs = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "doctor.md"));
        var listed = new Dictionary<string, Finding>(StringComparer.Ordinal);
        var total = -1;
        var inList = false;
        foreach (var line in docs)
        {
            if (TotalLine().Match(line) is { Success: true } t)
            {
                total = int.Parse(t.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                inList = true;
                continue;
            }

            // The list is the lines starting "- **Label**" after that sentence; the first other line after them ends it.
            if (!inList || (listed.Count == 0 && !line.StartsWith("- **", StringComparison.Ordinal)))
            {
                continue;
            }

            if (GroupLine().Match(line) is not { Success: true } m)
            {
                break;
            }

            var finding = Enum.Parse<Finding>(m.Groups[1].Value);
            var names = NameInBackticks().Matches(m.Groups[3].Value).Select(n => n.Groups[1].Value).ToList();
            Assert.Equal(int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), names.Count);
            foreach (var name in names)
            {
                Assert.True(listed.TryAdd(name, finding), $"{name} is listed twice");
            }
        }

        var corpus = CorpusFixture.Scenarios.ToDictionary(s => s.Name, s => s.Expected.Finding, StringComparer.Ordinal);
        Assert.Equal(corpus.Count, total);
        Assert.Empty(corpus.Keys.Except(listed.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(listed.Keys.Except(corpus.Keys).Order(StringComparer.Ordinal));
        Assert.All(corpus, s => Assert.Equal(s.Value, listed[s.Key]));
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

    [GeneratedRegex(@"The corpus holds (\d+) scenarios")]
    private static partial Regex TotalLine();

    [GeneratedRegex(@"^- \*\*(\w+)\*\* .*?\((\d+)\): (.*)$")]
    private static partial Regex GroupLine();

    [GeneratedRegex(@"`([a-z0-9-]+)`")]
    private static partial Regex NameInBackticks();
}
