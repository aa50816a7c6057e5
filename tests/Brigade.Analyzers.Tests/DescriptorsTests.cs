using System.Reflection;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Brigade.Analyzers.Tests;

public sealed class DescriptorsTests
{
    // Directory.Build.props' RepositoryUrl: the help links are built from it at compile time.
    private const string Docs = "https://github.com/brigade-dotnet/brigade/blob/main/docs/analyzers.md";

    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var id in RuleIds())
        {
            data.Add(id);
        }

        return data;
    }

    [Fact]
    public void EveryRule_BRG2001ToBRG2008_HasAnAnalyzer() =>
        Assert.Equal(["BRG2001", "BRG2002", "BRG2003", "BRG2004", "BRG2005", "BRG2006", "BRG2007", "BRG2008"], RuleIds());

    [Theory]
    [MemberData(nameof(Rules))]
    public void HelpLink_IsTheRulesSectionOfTheDocs_InTheRepository(string id)
    {
        var descriptor = Analyzers().SelectMany(a => a.SupportedDiagnostics).First(d => d.Id == id);

        Assert.Equal($"{Docs}#{id.ToLowerInvariant()}", descriptor.HelpLinkUri);
        // GitHub's anchor for "## BRG2001" is "#brg2001": the section exists under that heading.
        Assert.Contains($"\n## {id}\n", File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "analyzers.md")).ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    private static string[] RuleIds() =>
        [.. Analyzers().SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().Order(StringComparer.Ordinal)];

    private static IEnumerable<DiagnosticAnalyzer> Analyzers() =>
        typeof(Descriptors).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Brigade.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Brigade.slnx not found above " + AppContext.BaseDirectory);
    }
}
