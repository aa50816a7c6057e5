using System.Text.RegularExpressions;
using Brigade.Cli.Engines;
using Brigade.Cli.Run;
using Brigade.ConformanceAdapters;
using Contoso.Engines;

namespace Brigade.Cli.Tests.Engines;

/// <summary>
/// docs/architecture.md's worked example: an engine written against the kit (WorkerGroup, EngineJob) plus one registry
/// entry, resolved by name as <c>brigade run --engine</c> does, passes every conformance case that applies to it.
/// </summary>
public sealed class AddAnEngineTests : ConformanceTests
{
    private static readonly EngineRegistry Registry = new([.. EngineRegistry.Default.Entries, RegistryEntry.Background]);

    public static TheoryData<string> Cases => Names(Registry.Resolve("background").Capabilities);

    protected override Engine CreateEngine()
    {
        var entry = Registry.Resolve("background");
        var request = new EngineRequest(Jobs: null, ItemTimeout: null, Retries: 0, ForCommands: false, new EngineResources());
        entry.Check(request);
        return entry.Create(request, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    [Theory, MemberData(nameof(Cases))]
    public Task Conforms(string name) => RunCaseAsync(name);

    [Fact]
    public void Registry_WithTheExampleEntry_HelpAndResolveNameIt()
    {
        Assert.Equal("background", Registry.Resolve("Background").Name);
        Assert.EndsWith("cluster (--work only) or background (threads on half the cores).", Registry.Help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BackgroundThreadsEngine", "BackgroundThreadsEngine.cs")]
    [InlineData("RegistryEntry", "RegistryEntry.cs")]
    public void ArchitectureDoc_ShowsTheExampleAsCompiled(string snippet, string file)
    {
        var root = Repository.Root;
        var doc = File.ReadAllText(Path.Combine(root, "docs", "architecture.md"));
        var source = File.ReadAllText(Path.Combine(root, "docs", "examples", "AddAnEngine", file));

        var shown = Regex.Match(doc, $@"<!-- snippet: {snippet} -->\s*```(?:csharp|text)\n(?<code>.*?)```", RegexOptions.Singleline);
        var compiled = Regex.Match(source, $@"// <snippet:{snippet}>\n(?<code>.*?)[ ]*// </snippet:{snippet}>", RegexOptions.Singleline);

        Assert.True(shown.Success, $"docs/architecture.md has no '<!-- snippet: {snippet} -->' block");
        Assert.True(compiled.Success, $"{file} has no '// <snippet:{snippet}>' region");
        Assert.Equal(Unindent(compiled.Groups["code"].Value), Unindent(shown.Groups["code"].Value));
    }

    private static string Unindent(string code)
    {
        var lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd().Split('\n');
        var indent = lines.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', lines.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }
}
