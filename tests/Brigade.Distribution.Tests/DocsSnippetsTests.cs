namespace Brigade.Distribution.Tests;

/// <summary>Every C# snippet of the docs compiles as written (with the user's names of <c>Snippets/DocsPrelude.cs</c>).</summary>
public sealed partial class DocsSnippetsTests
{
    public static TheoryData<string> Snippets()
    {
        var data = new TheoryData<string>();
        foreach (var s in Snippet.All())
        {
            data.Add(s.ToString());
        }

        return data;
    }

    /// <summary>
    /// A snippet compiles as written, and shows exactly the analyzer warnings its comments name: a line whose comment
    /// starts with the rule (<c>// BRG2003</c>, the buggy form) gets that warning, and no other line gets any (the correct
    /// twins beside it, and every other snippet).
    /// </summary>
    /// <remarks>
    /// One compilation per snippet gives both (<see cref="SnippetCompiler.CheckAsync"/>): they were two theories over the
    /// same snippets, each binding every snippet again (an emit, then the analyzers' own pass).
    /// </remarks>
    [Theory]
    [MemberData(nameof(Snippets))]
    public async Task Snippet_Compiles_AndRaisesTheAnalyzerWarningsItsCommentsName(string where)
    {
        var snippet = Snippet.All().Single(s => s.ToString() == where);
        if (snippet.IsFragment)
        {
            // Fragments are rare and deliberate: a few lines of a larger loop. They must still parse as C#.
            var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(
                "class Fragment { async System.Threading.Tasks.Task M() { while (true) {\n" + snippet.Code + "\n} } }");
            Assert.Empty(tree.GetDiagnostics().Select(d => $"{where}: {d}"));
            return;
        }

        var (errors, reported) = await SnippetCompiler.CheckAsync(snippet);
        Assert.True(errors.Count == 0, $"{where} does not compile:\n{string.Join('\n', errors)}");

        var lines = snippet.Code.Split('\n');
        var expected = lines
            .Select((line, i) => (Line: i + 1, Ids: AnalyzerMarker().Matches(line).Select(m => m.Groups["id"].Value)))
            .SelectMany(l => l.Ids.Select(id => $"{snippet.File}:{snippet.Line + l.Line}: {id}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var actual = reported.Select(d => $"{snippet.File}:{snippet.Line + d.Line}: {d.Id}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(
            expected.SequenceEqual(actual),
            $"{where}: the comments name [{string.Join(", ", expected)}] but the analyzers report:\n" +
            string.Join('\n', reported.Select(d => $"{snippet.File}:{snippet.Line + d.Line}: {d.Id} {d.Message}")));
    }

    // "// BRG2001 at Log()", "// BRG2002: 'count' is ...": a comment that starts with the rule's id.
    [System.Text.RegularExpressions.GeneratedRegex(@"//\s*(?<id>BRG20\d\d)\b")]
    private static partial System.Text.RegularExpressions.Regex AnalyzerMarker();

    [Fact]
    public void TheDocsHaveSnippets_AndFewAreFragments()
    {
        var all = Snippet.All();
        Assert.True(all.Count >= 15, $"found only {all.Count} C# snippets: is the extraction broken?");
        Assert.True(all.Count(s => s.IsFragment) <= 2, "fragments are for the rare lines of a larger loop: " + string.Join(", ", all.Where(s => s.IsFragment)));
    }
}
