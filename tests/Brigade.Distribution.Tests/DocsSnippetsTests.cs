namespace Brigade.Distribution.Tests;

/// <summary>Every C# snippet of the docs compiles as written (with the user's names of <c>Snippets/DocsPrelude.cs</c>).</summary>
public sealed class DocsSnippetsTests
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

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Snippet_Compiles(string where)
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

        var (errors, _) = SnippetCompiler.Compile(snippet);
        Assert.True(errors.Count == 0, $"{where} does not compile:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void TheDocsHaveSnippets_AndFewAreFragments()
    {
        var all = Snippet.All();
        Assert.True(all.Count >= 15, $"found only {all.Count} C# snippets: is the extraction broken?");
        Assert.True(all.Count(s => s.IsFragment) <= 2, "fragments are for the rare lines of a larger loop: " + string.Join(", ", all.Where(s => s.IsFragment)));
    }
}
